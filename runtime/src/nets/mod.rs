//! The networks a recipe can declare, as burn modules built from the plan's configurations.

pub(crate) mod batchnorm;
mod block;
mod coord;
mod cross;
mod dense;
mod dino;
mod fill;
mod init;
pub mod layernorm;
mod mlp;
pub mod posemb;
pub mod resnet;
mod rope;
pub mod sdpa;
mod transformer;
mod vit;

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::Device;
use sslc_compiler::plan::nets::{Activation, Norm, Positions};
use sslc_compiler::plan::{NetKind, NetOutput};
use sslc_compiler::types::Ty;

pub use coord::CoordEmbed;
pub use dino::{DinoHead, DinoSpec};
pub use fill::MaskFill;
pub use mlp::{Mlp, MlpSpec};
pub use vit::{Vit, VitSpec};

use crate::error::RunError;
use crate::val::Val;

/// What a forward pass is for, which decides how a network with BatchNorm running statistics
/// normalises (the others behave the same in every pass).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Training the network itself: batch statistics, and the running averages follow them.
    Learn,
    /// A training-time pass that does not train this network (an EMA or frozen copy, a
    /// stop-gradient call, a measurement): batch statistics, nothing kept.
    Batch,
    /// Evaluation (probes, jobs, export): running statistics where the network keeps them.
    Infer,
}

/// One network's weights. A run holds a handful of these, so the size difference between
/// variants costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Net {
    Vit(Vit),
    Mlp(Mlp),
    Linear(Linear),
    MaskFill(fill::MaskFill),
    Dino(DinoHead),
    Transformer(transformer::Transformer),
    Cross(cross::CrossTransformer),
    Coord(coord::CoordEmbed),
    ResNet(resnet::ResNet),
}

impl Net {
    /// Builds the network `kind` for inputs of type `input`.
    pub fn build(kind: &NetKind, input: Option<&Ty>, device: &Device) -> Result<Net, RunError> {
        let missing = || RunError::Internal(format!("network `{}` is never applied", kind.name()));
        let input = input.ok_or_else(missing)?;
        Ok(match kind {
            NetKind::Vit(v) => {
                let Ty::Image { c: _, h, w, .. } = input else {
                    return Err(RunError::Internal(format!("vit applied to {}", input.noun())));
                };
                Net::Vit(Vit::new(
                    &VitSpec {
                        patch: v.patch,
                        dim: v.dim,
                        depth: v.depth,
                        heads: v.heads,
                        mlp_ratio: v.mlp_ratio,
                        cls: v.cls,
                        channels: v.channels,
                        drop_path: v.drop_path,
                        mask_token: v.mask_token,
                        registers: v.registers,
                        rope: v.positions == Positions::Rope,
                        grid: (*h as usize / v.patch, *w as usize / v.patch),
                    },
                    device,
                ))
            }
            NetKind::Mlp(m) => Net::Mlp(Mlp::new(
                &MlpSpec {
                    input: width(input)?,
                    hidden: m.hidden,
                    out: m.out,
                    layers: m.layers,
                    bn: m.bn,
                    gelu: m.act == Activation::Gelu,
                    out_bn: m.out_bn,
                },
                device,
            )),
            NetKind::Fc(f) => Net::Linear(init::linear_with(width(input)?, f.out, f.bias, device)),
            NetKind::DinoHead(d) => Net::Dino(DinoHead::new(
                &DinoSpec {
                    input: width(input)?,
                    hidden: d.hidden,
                    bottleneck: d.bottleneck,
                    prototypes: d.prototypes,
                    layers: d.layers,
                },
                device,
            )),
            NetKind::Transformer(t) => Net::Transformer(transformer::Transformer::new(
                width(input)?,
                t.depth,
                t.heads,
                t.mlp_ratio,
                t.norm == Norm::Batch,
                device,
            )),
            NetKind::CrossTransformer(t) => Net::Cross(cross::CrossTransformer::new(
                width(input)?,
                t.depth,
                t.heads,
                t.mlp_ratio,
                device,
            )),
            NetKind::CoordEmbed(c) => Net::Coord(coord::CoordEmbed::new(c.dim, c.grid, device)),
            NetKind::MaskFill(f) => {
                Net::MaskFill(fill::MaskFill::new(width(input)?, device).with_positions(f.positions))
            }
            NetKind::ResNet(r) => Net::ResNet(
                resnet::ResNet::new(r, device)
                    .ok_or_else(|| RunError::Internal(format!("resnet of depth {}", r.depth)))?,
            ),
        })
    }

    /// Applies the network to a batch (`x`, and `mask` where the network takes one).
    pub fn forward(&self, x: Val, mask: Option<Val>, pass: Pass) -> Result<Val, RunError> {
        self.forward_to(x, mask, NetOutput::Final, pass)
    }

    /// The same, taking `output` (a ViT's inner blocks, or every network's final output).
    pub fn forward_to(&self, x: Val, mask: Option<Val>, output: NetOutput, pass: Pass) -> Result<Val, RunError> {
        let mask = mask.map(Val::mask).transpose()?;
        match self {
            Net::Vit(v) => Ok(Val::Tokens(v.forward_to(x.images()?, mask.as_ref(), output)?)),
            _ if output != NetOutput::Final => Err(RunError::Internal(format!(
                "{output:?} asked of a network that is not a ViT"
            ))),
            Net::Mlp(m) => rows(x, |r| m.forward(r)),
            Net::Linear(l) => rows(x, |r| crate::precision::linear(l, r)),
            Net::Dino(d) => rows(x, |r| d.forward(r)),
            Net::Transformer(t) => Ok(Val::Tokens(t.forward(x.tokens()?))),
            Net::Cross(_) => Err(RunError::Internal("cross_transformer without its context".into())),
            Net::Coord(c) => Ok(Val::Tokens(c.forward(x.vectors()?))),
            Net::ResNet(r) => Ok(Val::Tokens(r.forward(x.images()?, pass))),
            Net::MaskFill(f) => {
                let mask = mask.ok_or_else(|| RunError::Internal("mask_fill without a mask".into()))?;
                Ok(Val::Tokens(f.forward(x.tokens()?, &mask)?))
            }
        }
    }

    /// The same, with a cross-attention's `context`, taking the output a call asks for.
    pub fn apply(
        &self,
        x: Val,
        mask: Option<Val>,
        context: Option<Val>,
        output: NetOutput,
        pass: Pass,
    ) -> Result<Val, RunError> {
        if let Net::Cross(c) = self {
            let context = context.ok_or_else(|| RunError::Internal("cross_transformer without `context`".into()))?;
            return Ok(Val::Tokens(c.forward(x.tokens()?, context.tokens()?)));
        }
        self.forward_to(x, mask, output, pass)
    }
}

impl Net {
    /// The trainable parameters of the network `kind` for inputs of type `input`, counted
    /// without making it (see [`init::counting`]): cheap at any size.
    pub fn count(kind: &NetKind, input: Option<&Ty>) -> Result<usize, RunError> {
        init::counting(|| Net::build(kind, input, &crate::device::default())).map(|n| n.trainable_params())
    }

    /// Scalars the network trains (burn visits running statistics like parameters).
    pub fn trainable_params(&self) -> usize {
        self.num_params() - self.running_scalars()
    }

    /// Scalars the network keeps as running statistics rather than trains.
    pub fn running_scalars(&self) -> usize {
        match self {
            Net::ResNet(r) => r.running_scalars(),
            _ => 0,
        }
    }

    /// The network's output on `images` for probes, computed for inference (running statistics
    /// where kept): tokens (a ViT's class token first where it has one, see [`Net::has_cls`]),
    /// a ResNet's last map as tokens, or vectors.
    pub fn output(&self, images: burn::tensor::Tensor<4>) -> Result<Val, RunError> {
        self.forward(Val::Images(images), None, Pass::Infer)
    }

    /// Whether the network's tokens lead with a class token (a ViT with one).
    pub fn has_cls(&self) -> bool {
        matches!(self, Net::Vit(v) if v.has_cls())
    }
}

fn width(ty: &Ty) -> Result<usize, RunError> {
    ty.feature_dim()
        .map(|d| d as usize)
        .ok_or_else(|| RunError::Internal(format!("a per-vector network applied to {}", ty.noun())))
}

/// Applies a row-wise function to vectors, or to every token.
fn rows(x: Val, f: impl FnOnce(burn::tensor::Tensor<2>) -> burn::tensor::Tensor<2>) -> Result<Val, RunError> {
    match x {
        Val::Vectors(t) => Ok(Val::Vectors(f(t))),
        Val::Tokens(t) => Ok(Val::Tokens(dense::per_token(t, f))),
        Val::Slots(t, owners) => Ok(Val::Slots(dense::per_token(t, f), owners)),
        v => Err(RunError::Internal(format!(
            "a per-vector network applied to {}",
            v.kind()
        ))),
    }
}
