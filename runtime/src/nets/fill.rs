//! Mask filling (MAE decoder input): visible tokens go back to their grid places and a learned
//! mask token fills the masked ones, optionally followed by fixed 2-D sin-cos positions on the
//! grid tokens (MAE's decoder, I-JEPA's predictor). A leading class token passes through.

use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Tensor};

use super::posemb;
use crate::error::RunError;
use crate::val::Mask;

#[derive(Module, Debug)]
pub struct MaskFill {
    token: Param<Tensor<3>>,
    /// Add fixed sin-cos positions to the grid tokens after filling.
    positions: bool,
}

impl MaskFill {
    pub fn new(dim: usize, device: &Device) -> Self {
        MaskFill {
            token: super::init::param([1, 1, dim], device, || {
                Tensor::random([1, 1, dim], Distribution::Normal(0.0, 0.02), device)
            }),
            positions: false,
        }
    }

    /// The same, adding fixed positions to the grid tokens when `positions`.
    pub fn with_positions(self, positions: bool) -> Self {
        MaskFill { positions, ..self }
    }

    /// `grid` (`[batch, g·g, dim]`) with its positions added, if asked for.
    fn placed(&self, grid: Tensor<3>) -> Tensor<3> {
        if !self.positions {
            return grid;
        }
        let [_, tokens, d] = grid.dims();
        let g = (tokens as f64).sqrt().round() as usize;
        let pos = posemb::tensor(g, tokens / g.max(1), d, (g, tokens / g.max(1)), &grid.device());
        grid + pos
    }

    /// `x`: `[batch, (1 +) kept, dim]` → `[batch, (1 +) tokens, dim]`.
    pub fn forward(&self, x: Tensor<3>, mask: &Mask) -> Result<Tensor<3>, RunError> {
        let [b, len, d] = x.dims();
        // A mask drawn per image applies to each of its views.
        let mask = &mask.for_rows(b);
        let [_, kept] = mask.kept()?.dims();
        let [_, tokens] = mask.restore.dims();
        let cls = len - kept;
        let visible = x.clone().narrow(1, cls, kept);
        let grid = if kept == tokens {
            // Nothing is masked: the kept tokens are the grid, in order. The token still takes
            // part (times 0), so the output stays in the autodiff graph like any other call's.
            visible + self.token.val().mul_scalar(0.0)
        } else {
            let filler = self.token.val().expand([b, tokens - kept, d]);
            let ordered = Tensor::cat(vec![visible, filler], 1);
            let index = mask.restore.clone().unsqueeze_dim::<3>(2).expand([b, tokens, d]);
            ordered.gather(1, index)
        };
        let grid = self.placed(grid);
        Ok(if cls > 0 {
            Tensor::cat(vec![x.narrow(1, 0, cls), grid], 1)
        } else {
            grid
        })
    }
}
