//! Cross-attention blocks: tokens (the queries) attend to another set of tokens (the context)
//! and not to each other, `x + attn(norm(x), norm(context))`, then `x + mlp(norm(x))`, pre-norm
//! as a ViT's blocks (CAPI's predictor: mask tokens at the masked places read the visible
//! patches).

use burn::module::Module;
use burn::nn::{Gelu, LayerNorm, Linear};
use burn::tensor::{Device, Tensor};

use super::dense::tokens;
use super::init::linear;
use super::layernorm;
use super::sdpa::attention;

/// Multi-head attention from the queries' tokens to the context's.
#[derive(Module, Debug)]
struct CrossAttention {
    q: Linear,
    kv: Linear,
    proj: Linear,
    heads: usize,
}

impl CrossAttention {
    fn forward(&self, x: Tensor<3>, context: Tensor<3>) -> Tensor<3> {
        let [b, t, d] = x.dims();
        let s = context.dims()[1];
        let h = self.heads;
        let q = tokens(&self.q, x).reshape([b, t, h, d / h]).swap_dims(1, 2);
        let kv = tokens(&self.kv, context)
            .reshape([b, s, 2, h, d / h])
            .permute([2, 0, 3, 1, 4]);
        let part = |i: usize| kv.clone().narrow(0, i, 1).reshape([b, h, s, d / h]);
        let out = attention(q, part(0), part(1));
        tokens(&self.proj, out.swap_dims(1, 2).reshape([b, t, d]))
    }
}

/// One block.
#[derive(Module, Debug)]
struct CrossBlock {
    norm_x: LayerNorm,
    norm_context: LayerNorm,
    attn: CrossAttention,
    norm2: LayerNorm,
    fc1: Linear,
    act: Gelu,
    fc2: Linear,
}

impl CrossBlock {
    fn forward(&self, x: Tensor<3>, context: Tensor<3>) -> Tensor<3> {
        let q = layernorm::forward(&self.norm_x, x.clone());
        let c = layernorm::forward(&self.norm_context, context);
        let x = x + self.attn.forward(q, c);
        let hidden = self
            .act
            .forward(tokens(&self.fc1, layernorm::forward(&self.norm2, x.clone())));
        x.clone() + tokens(&self.fc2, hidden)
    }
}

/// `depth` cross-attention blocks of width `dim`.
#[derive(Module, Debug)]
pub struct CrossTransformer {
    blocks: Vec<CrossBlock>,
}

impl CrossTransformer {
    pub fn new(dim: usize, depth: usize, heads: usize, mlp_ratio: f64, device: &Device) -> Self {
        let hidden = ((dim as f64) * mlp_ratio).round().max(1.0) as usize;
        let block = || CrossBlock {
            norm_x: layernorm::new(dim, device),
            norm_context: layernorm::new(dim, device),
            attn: CrossAttention {
                q: linear(dim, dim, device),
                kv: linear(dim, 2 * dim, device),
                proj: linear(dim, dim, device),
                heads,
            },
            norm2: layernorm::new(dim, device),
            fc1: linear(dim, hidden, device),
            act: Gelu::new(),
            fc2: linear(hidden, dim, device),
        };
        CrossTransformer {
            blocks: (0..depth).map(|_| block()).collect(),
        }
    }

    /// `x` `[batch, queries, dim]` reading `context` `[batch, tokens, dim]`.
    pub fn forward(&self, mut x: Tensor<3>, context: Tensor<3>) -> Tensor<3> {
        for b in &self.blocks {
            x = b.forward(x, context.clone());
        }
        x
    }
}
