//! Vision Transformer: linear patch embedding, fixed sin-cos position embeddings (or rotary
//! positions in the attention), an optional
//! class token, optional register tokens, pre-norm blocks and a final LayerNorm. A mask drops the
//! masked patches (MAE) or, with a mask token, replaces their embeddings in place (SimMIM).

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::nn::{LayerNorm, Linear};
use burn::tensor::{Device, Distribution, Tensor};

use super::block::Block;
use super::dense;
use super::init::{self, linear};
use super::layernorm;
use super::posemb;
use super::rope::Rope;
use crate::error::RunError;
use crate::tensor::patchify;
use crate::val::Mask;
use sslc_compiler::plan::NetOutput;

/// Settings read from the recipe.
#[derive(Clone, Debug)]
pub struct VitSpec {
    pub patch: usize,
    pub dim: usize,
    pub depth: usize,
    pub heads: usize,
    pub mlp_ratio: f64,
    pub cls: bool,
    pub channels: usize,
    /// Stochastic-depth rate of the last block, rising linearly from 0 at the first (DINO).
    pub drop_path: f64,
    /// Masked patches are replaced by a learned token instead of dropped.
    pub mask_token: bool,
    /// Learned tokens after the class token that every token attends to and the output leaves
    /// out (DINOv2 with registers).
    pub registers: usize,
    /// Rotary positions in every attention instead of added sin-cos embeddings (DINOv3).
    pub rope: bool,
    /// The patch grid of the input the network was declared for (position reference).
    pub grid: (usize, usize),
}

#[derive(Module, Debug)]
pub struct Vit {
    pub embed: Linear,
    cls: Option<Param<Tensor<3>>>,
    mask_token: Option<Param<Tensor<3>>>,
    registers: Option<Param<Tensor<3>>>,
    blocks: Vec<Block>,
    norm: LayerNorm,
    patch: usize,
    dim: usize,
    heads: usize,
    rope: bool,
    grid: (usize, usize),
}

impl Vit {
    pub fn new(spec: &VitSpec, device: &Device) -> Self {
        let hidden = ((spec.dim as f64) * spec.mlp_ratio).round().max(1.0) as usize;
        Vit {
            embed: linear(spec.channels * spec.patch * spec.patch, spec.dim, device),
            cls: spec.cls.then(|| {
                init::param([1, 1, spec.dim], device, || {
                    Tensor::random([1, 1, spec.dim], Distribution::Normal(0.0, 0.02), device)
                })
            }),
            mask_token: spec.mask_token.then(|| {
                init::param([1, 1, spec.dim], device, || {
                    Tensor::random([1, 1, spec.dim], Distribution::Normal(0.0, 0.02), device)
                })
            }),
            // DINOv2 starts its registers near zero.
            registers: (spec.registers > 0).then(|| {
                init::param([1, spec.registers, spec.dim], device, || {
                    Tensor::random([1, spec.registers, spec.dim], Distribution::Normal(0.0, 1e-6), device)
                })
            }),
            blocks: (0..spec.depth)
                .map(|i| {
                    let rate = spec.drop_path * i as f64 / (spec.depth.max(2) - 1) as f64;
                    Block::new(spec.dim, spec.heads, hidden, false, device).with_drop_path(rate)
                })
                .collect(),
            norm: layernorm::new(spec.dim, device),
            patch: spec.patch,
            dim: spec.dim,
            heads: spec.heads,
            rope: spec.rope,
            grid: spec.grid,
        }
    }

    /// Each parameter's layer, as BEiT and timm count them for layer-wise decay: the embeddings
    /// (patches, class token, registers, mask token) 0, block i i + 1, the final norm depth + 1;
    /// and that top layer, depth + 1.
    pub fn layers(&self) -> (Vec<(ParamId, usize)>, usize) {
        struct Ids(Vec<ParamId>);
        impl ModuleVisitor for Ids {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.0.push(param.id);
            }
        }
        let ids = |visit: &dyn Fn(&mut Ids)| {
            let mut ids = Ids(vec![]);
            visit(&mut ids);
            ids.0
        };
        let top = self.blocks.len() + 1;
        let mut out: Vec<(ParamId, usize)> = vec![];
        let stem = ids(&|v| {
            self.embed.visit(v);
            self.cls.visit(v);
            self.mask_token.visit(v);
            self.registers.visit(v);
        });
        out.extend(stem.into_iter().map(|id| (id, 0)));
        for (i, block) in self.blocks.iter().enumerate() {
            out.extend(ids(&|v| block.visit(v)).into_iter().map(|id| (id, i + 1)));
        }
        out.extend(ids(&|v| self.norm.visit(v)).into_iter().map(|id| (id, top)));
        (out, top)
    }

    pub fn has_cls(&self) -> bool {
        self.cls.is_some()
    }

    /// Images `[batch, channels, h, w]` to tokens `[batch, (1 +) grid, dim]`; with a mask, only
    /// the kept patches are encoded: `[batch, (1 +) kept, dim]`, or, with a mask token, every
    /// patch, the masked ones' embeddings replaced by it.
    pub fn forward(&self, x: Tensor<4>, mask: Option<&Mask>) -> Result<Tensor<3>, RunError> {
        self.forward_to(x, mask, NetOutput::Final)
    }

    /// As `forward`, taking `output`: the final tokens, block `n`'s (before the final norm), or
    /// the mean of the last `k` blocks' outputs, each layer-normalised without affine
    /// parameters. The blocks after the one asked for are not run.
    pub fn forward_to(&self, x: Tensor<4>, mask: Option<&Mask>, output: NetOutput) -> Result<Tensor<3>, RunError> {
        let [b, _, h, w] = x.dims();
        let (gh, gw) = (h / self.patch, w / self.patch);
        let device = x.device();
        let mut tokens = dense::tokens(&self.embed, patchify(x, self.patch));
        // A mask drawn per image applies to each of its views.
        let mask = mask.map(|m| m.for_rows(b));
        let mask = mask.as_ref();
        if let (Some(m), Some(token)) = (mask, &self.mask_token) {
            let masked = m.masked.clone().unsqueeze_dim::<3>(2);
            let kept = masked.clone().neg().add_scalar(1.0);
            tokens = tokens * kept + token.val() * masked;
        }
        let mut x = if self.rope {
            tokens
        } else {
            tokens + posemb::tensor(gh, gw, self.dim, self.grid, &device)
        };
        let mut kept = None;
        if let (Some(m), None) = (mask, &self.mask_token) {
            let keep = m.kept()?;
            let [_, count] = keep.dims();
            let index = keep.clone().unsqueeze_dim::<3>(2).expand([b, count, self.dim]);
            x = x.gather(1, index);
            kept = Some(keep.clone());
        }
        if let Some(cls) = &self.cls {
            x = Tensor::cat(vec![cls.val().expand([b, 1, self.dim]), x], 1);
        }
        let prefix = usize::from(self.cls.is_some());
        let registers = self.registers.as_ref().map_or(0, |r| r.dims()[1]);
        if let Some(r) = &self.registers {
            let len = x.dims()[1];
            let mut parts = vec![];
            if prefix > 0 {
                parts.push(x.clone().narrow(1, 0, prefix));
            }
            parts.push(r.val().expand([b, registers, self.dim]));
            parts.push(x.narrow(1, prefix, len - prefix));
            x = Tensor::cat(parts, 1);
        }
        let rope = self
            .rope
            .then(|| Rope::new((gh, gw), self.dim / self.heads, prefix + registers, kept, &device));
        let depth = self.blocks.len();
        let (run, average) = match output {
            NetOutput::Final => (depth, 0),
            NetOutput::Block(n) => ((n as usize).min(depth), 0),
            NetOutput::AverageLast(k) => (depth, (k as usize).min(depth)),
        };
        let mut sum: Option<Tensor<3>> = None;
        for (i, block) in self.blocks.iter().take(run).enumerate() {
            x = block.forward(x, rope.as_ref());
            if i + average >= depth {
                let normed = crate::tensor::layer_norm(x.clone());
                sum = Some(match sum {
                    Some(s) => s + normed,
                    None => normed,
                });
            }
        }
        let out = match (output, sum) {
            (NetOutput::Final, _) => layernorm::forward(&self.norm, x),
            (NetOutput::AverageLast(_), Some(sum)) => sum.div_scalar(average as f32),
            _ => x,
        };
        if registers == 0 {
            return Ok(out);
        }
        let len = out.dims()[1];
        let rest = out.clone().narrow(1, prefix + registers, len - prefix - registers);
        if prefix == 0 {
            return Ok(rest);
        }
        Ok(Tensor::cat(vec![out.narrow(1, 0, prefix), rest], 1))
    }
}
