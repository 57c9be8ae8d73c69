//! `block_mask`: BEiT's blockwise masking, rectangles up to an exact count of tokens or a share
//! drawn per image (DINOv2), only a share `p` of the images masked; inverse: the blocks stay
//! visible and the rest is masked (data2vec 2.0, CAPI).

use sslc_compiler::plan::views::BlockMask;

use super::Run;
use crate::augment::masks;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};
use crate::rng::Rng;

impl Run for BlockMask {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        Ok(at.each_mask(|rng| draw(self, rng)))
    }
}

/// One view's mask.
fn draw(op: &BlockMask, rng: &mut Rng) -> Vec<bool> {
    let total = op.grid * op.grid;
    // Draws beyond the blocks' own only where the recipe asks for them.
    if op.p < 1.0 && !rng.chance(op.p as f32) {
        return vec![false; total];
    }
    let count = if op.count > 0 {
        op.count
    } else {
        let (lo, hi) = (op.ratio.0 as f32, op.ratio.1 as f32);
        let r = if lo < hi { rng.range(lo, hi) } else { lo };
        ((total as f32 * r).round() as usize).min(total)
    };
    let aspect = (op.aspect.0 as f32, op.aspect.1 as f32);
    if !op.inverse {
        return masks::block_mask(op.grid, count, op.min_block, aspect, rng);
    }
    let visible = masks::block_mask(op.grid, total - count, op.min_block, aspect, rng);
    visible.into_iter().map(|v| !v).collect()
}
