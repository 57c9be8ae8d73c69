//! A pre-norm transformer block: `x + attn(norm(x))`, then `x + mlp(norm(x))`, each residual
//! branch dropped per sample with the block's stochastic-depth rate while training.

use burn::module::Module;
use burn::nn::{Gelu, LayerNorm, Linear};
use burn::tensor::{Device, Distribution, Tensor};

use super::batchnorm::BatchNorm;
use super::dense::tokens;
use super::init::linear;
use super::layernorm;
use super::rope::Rope;
use super::sdpa::attention;

/// Multi-head self-attention with one fused qkv projection.
#[derive(Module, Debug)]
pub struct Attention {
    qkv: Linear,
    proj: Linear,
    heads: usize,
}

impl Attention {
    pub fn new(dim: usize, heads: usize, device: &Device) -> Self {
        Attention {
            qkv: linear(dim, 3 * dim, device),
            proj: linear(dim, dim, device),
            heads,
        }
    }

    /// `x`: `[batch, tokens, dim]`; `rope` turns the queries and keys by their positions.
    pub fn forward(&self, x: Tensor<3>, rope: Option<&Rope>) -> Tensor<3> {
        let [b, t, d] = x.dims();
        let h = self.heads;
        let qkv = tokens(&self.qkv, x)
            .reshape([b, t, 3, h, d / h])
            .permute([2, 0, 3, 1, 4]);
        let part = |i: usize| qkv.clone().narrow(0, i, 1).reshape([b, h, t, d / h]);
        let (q, k) = match rope {
            Some(r) => (r.apply(part(0)), r.apply(part(1))),
            None => (part(0), part(1)),
        };
        let out = attention(q, k, part(2));
        tokens(&self.proj, out.swap_dims(1, 2).reshape([b, t, d]))
    }
}

/// The normalisation of a block: LayerNorm per token, or BatchNorm over all tokens of the batch.
#[derive(Module, Debug)]
pub enum Norm {
    Layer(LayerNorm),
    Batch(BatchNorm),
}

impl Norm {
    pub fn new(batch: bool, dim: usize, device: &Device) -> Self {
        if batch {
            Norm::Batch(BatchNorm::new(dim, device))
        } else {
            Norm::Layer(layernorm::new(dim, device))
        }
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        match self {
            Norm::Layer(n) => layernorm::forward(n, x),
            Norm::Batch(n) => {
                let [b, t, d] = x.dims();
                n.forward(x.reshape([b * t, d])).reshape([b, t, d])
            }
        }
    }
}

/// One block; `hidden` is the width of its MLP.
#[derive(Module, Debug)]
pub struct Block {
    norm1: Norm,
    attn: Attention,
    norm2: Norm,
    fc1: Linear,
    act: Gelu,
    fc2: Linear,
    /// Stochastic-depth rate: the probability of dropping a residual branch for a sample.
    drop_path: f64,
}

impl Block {
    pub fn new(dim: usize, heads: usize, hidden: usize, batch_norm: bool, device: &Device) -> Self {
        Block {
            norm1: Norm::new(batch_norm, dim, device),
            attn: Attention::new(dim, heads, device),
            norm2: Norm::new(batch_norm, dim, device),
            fc1: linear(dim, hidden, device),
            act: Gelu::new(),
            fc2: linear(hidden, dim, device),
            drop_path: 0.0,
        }
    }

    /// The block with stochastic-depth rate `rate`.
    pub fn with_drop_path(self, rate: f64) -> Self {
        Block {
            drop_path: rate,
            ..self
        }
    }

    pub fn forward(&self, x: Tensor<3>, rope: Option<&Rope>) -> Tensor<3> {
        let x = x.clone() + self.drop(self.attn.forward(self.norm1.forward(x), rope));
        let hidden = self.act.forward(tokens(&self.fc1, self.norm2.forward(x.clone())));
        let y = tokens(&self.fc2, hidden);
        x + self.drop(y)
    }

    /// Stochastic depth: each sample's branch is kept with probability 1 − rate and scaled by
    /// 1 / (1 − rate). Only on the autodiff device, i.e. in a trained forward pass; EMA, frozen
    /// and probe passes run on the plain device and keep every branch.
    fn drop(&self, branch: Tensor<3>) -> Tensor<3> {
        if self.drop_path <= 0.0 || !branch.is_autodiff() {
            return branch;
        }
        let keep = 1.0 - self.drop_path;
        if keep <= 0.0 {
            return branch.mul_scalar(0.0);
        }
        let b = branch.dims()[0];
        let mask = Tensor::<3>::random([b, 1, 1], Distribution::Bernoulli(keep), &branch.device());
        branch * mask.div_scalar(keep as f32)
    }
}
