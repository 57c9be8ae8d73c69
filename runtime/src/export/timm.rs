//! An sslc ViT as timm's `VisionTransformer`: the tensor names and layouts timm's `state_dict`
//! has, and the constructor arguments that build the same network.
//!
//! sslc's ViT was written to timm's design (pre-norm blocks, fused `qkv` split as
//! `[3, heads, head_dim]`, LayerNorm ε 1e-6, exact GELU), so the port is a renaming and three
//! layout changes: burn keeps a linear weight as `[in, out]` and PyTorch as `[out, in]`; the patch
//! embedding is a linear map of `(channel, row, column)`-ordered patches, which is timm's
//! convolution `[dim, channels, p, p]`; and sslc's positions are fixed sin-cos values, which
//! timm holds as the parameter `pos_embed` over the patches only (`no_embed_class=True`).

use std::collections::BTreeMap;

use serde_json::json;
use sslc_compiler::plan::nets::{Positions, Vit};
use sslc_compiler::types::Ty;

use super::{Exported, Tensor};
use crate::checkpoint::Stored;
use crate::error::RunError;
use crate::nets::posemb;

/// A `[rows, cols]` matrix transposed.
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

/// The stored parameters not yet ported, by path.
struct Params(BTreeMap<String, Stored>);

impl Params {
    fn take(&mut self, path: &str) -> Result<Stored, RunError> {
        self.0
            .remove(path)
            .ok_or_else(|| RunError::Internal(format!("the ViT has no parameter `{path}`")))
    }

    /// A linear layer: its weight transposed to `[out, in]`, its bias as it is.
    fn linear(&mut self, from: &str, to: &str, out: &mut Vec<Tensor>) -> Result<(), RunError> {
        let weight = self.take(&format!("{from}.weight"))?;
        let [rows, cols] = weight.shape[..] else {
            return Err(RunError::Internal(format!("`{from}.weight` is not a matrix")));
        };
        out.push(Tensor::new(
            format!("{to}.weight"),
            vec![cols, rows],
            transpose(&weight.values, rows, cols),
        ));
        self.renamed(&format!("{from}.bias"), &format!("{to}.bias"), out)
    }

    /// A LayerNorm: burn's `gamma` and `beta` are PyTorch's `weight` and `bias`.
    fn norm(&mut self, name: &str, out: &mut Vec<Tensor>) -> Result<(), RunError> {
        self.renamed(&format!("{name}.gamma"), &format!("{name}.weight"), out)?;
        self.renamed(&format!("{name}.beta"), &format!("{name}.bias"), out)
    }

    fn renamed(&mut self, from: &str, to: &str, out: &mut Vec<Tensor>) -> Result<(), RunError> {
        let p = self.take(from)?;
        out.push(Tensor::new(to.into(), p.shape, p.values));
        Ok(())
    }
}

/// The ViT declared as `vit` for `input`, with its stored parameters, in timm's form.
pub fn vit(vit: &Vit, input: &Ty, params: Vec<Stored>) -> Result<Exported, RunError> {
    let Ty::Image { h, w, .. } = input else {
        return Err(RunError::Internal(format!("vit applied to {}", input.noun())));
    };
    if vit.positions == Positions::Rope {
        return Err(RunError::Export(
            "a `vit` with `positions: \"rope\"` has no timm `VisionTransformer` counterpart (it adds \
             sin-cos embeddings); export it with `--to safetensors`"
                .into(),
        ));
    }
    let (patch, dim, depth, heads) = (vit.patch, vit.dim, vit.depth, vit.heads);
    let (channels, cls) = (vit.channels, vit.cls);
    let (h, w) = (*h as usize, *w as usize);
    let grid = (h / patch, w / patch);
    let mut params = Params(params.into_iter().map(|p| (p.path.clone(), p)).collect());
    let mut out = vec![];
    // The patch embedding: [c·p·p, dim] → [dim, c·p·p] → [dim, c, p, p].
    let embed = params.take("embed.weight")?;
    out.push(Tensor::new(
        "patch_embed.proj.weight".into(),
        vec![dim, channels, patch, patch],
        transpose(&embed.values, channels * patch * patch, dim),
    ));
    params.renamed("embed.bias", "patch_embed.proj.bias", &mut out)?;
    if cls {
        params.renamed("cls", "cls_token", &mut out)?;
    }
    if vit.registers > 0 {
        params.renamed("registers", "reg_token", &mut out)?;
    }
    out.push(Tensor::new(
        "pos_embed".into(),
        vec![1, grid.0 * grid.1, dim],
        posemb::sincos_2d(grid.0, grid.1, dim, (1.0, 1.0)),
    ));
    for i in 0..depth {
        let b = format!("blocks.{i}");
        params.norm(&format!("{b}.norm1"), &mut out)?;
        params.linear(&format!("{b}.attn.qkv"), &format!("{b}.attn.qkv"), &mut out)?;
        params.linear(&format!("{b}.attn.proj"), &format!("{b}.attn.proj"), &mut out)?;
        params.norm(&format!("{b}.norm2"), &mut out)?;
        params.linear(&format!("{b}.fc1"), &format!("{b}.mlp.fc1"), &mut out)?;
        params.linear(&format!("{b}.fc2"), &format!("{b}.mlp.fc2"), &mut out)?;
    }
    params.norm("norm", &mut out)?;
    // A mask token serves masked pre-training only; timm's ViT has none.
    if vit.mask_token {
        params.take("mask_token")?;
    }
    if let Some(left) = params.0.keys().next() {
        return Err(RunError::Internal(format!("the timm port leaves `{left}` out")));
    }
    let hidden = ((dim as f64) * vit.mlp_ratio).round().max(1.0) as usize;
    let config = json!({
        "img_size": [h, w],
        "patch_size": patch,
        "in_chans": channels,
        "embed_dim": dim,
        "depth": depth,
        "num_heads": heads,
        "mlp_ratio": hidden as f64 / dim as f64,
        "qkv_bias": true,
        "class_token": cls,
        "reg_tokens": vit.registers,
        "no_embed_class": true,
        "global_pool": if cls { "token" } else { "avg" },
        // sslc normalises every token (`norm`), not the pooled feature (timm's `fc_norm`).
        "fc_norm": false,
        "num_classes": 0,
    });
    Ok(Exported {
        tensors: out,
        metadata: vec![("timm.config".into(), config.to_string())],
    })
}
