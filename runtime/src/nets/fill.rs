//! Mask filling (MAE decoder input): visible tokens go back to their grid places and a learned
//! mask token fills the masked ones. A leading class token passes through.

use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Tensor};

use crate::val::Mask;

#[derive(Module, Debug)]
pub struct MaskFill {
    token: Param<Tensor<3>>,
}

impl MaskFill {
    pub fn new(dim: usize, device: &Device) -> Self {
        MaskFill {
            token: Param::from_tensor(Tensor::random([1, 1, dim], Distribution::Normal(0.0, 0.02), device)),
        }
    }

    /// `x`: `[batch, (1 +) kept, dim]` → `[batch, (1 +) tokens, dim]`.
    pub fn forward(&self, x: Tensor<3>, mask: &Mask) -> Tensor<3> {
        let [b, len, d] = x.dims();
        let [_, kept] = mask.keep.dims();
        let [_, tokens] = mask.restore.dims();
        let cls = len - kept;
        if kept == tokens {
            // Nothing is masked: the kept tokens are the grid, in order. The token still takes
            // part (times 0), so the output stays in the autodiff graph like any other call's.
            return x + self.token.val().mul_scalar(0.0);
        }
        let visible = x.clone().narrow(1, cls, kept);
        let filler = self.token.val().expand([b, tokens - kept, d]);
        let ordered = Tensor::cat(vec![visible, filler], 1);
        let index = mask.restore.clone().unsqueeze_dim::<3>(2).expand([b, tokens, d]);
        let grid = ordered.gather(1, index);
        if cls > 0 {
            Tensor::cat(vec![x.narrow(1, 0, cls), grid], 1)
        } else {
            grid
        }
    }
}
