//! Transformer blocks over tokens without embedding (SiameseIM projector and predictor).

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::block::Block;

#[derive(Module, Debug)]
pub struct Transformer {
    blocks: Vec<Block>,
}

impl Transformer {
    pub fn new(dim: usize, depth: usize, heads: usize, mlp_ratio: f64, batch_norm: bool, device: &Device) -> Self {
        let hidden = ((dim as f64) * mlp_ratio).round().max(1.0) as usize;
        Transformer {
            blocks: (0..depth)
                .map(|_| Block::new(dim, heads, hidden, batch_norm, device))
                .collect(),
        }
    }

    pub fn forward(&self, mut x: Tensor<3>) -> Tensor<3> {
        for b in &self.blocks {
            x = b.forward(x, None);
        }
        x
    }
}
