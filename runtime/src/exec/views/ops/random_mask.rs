//! `random_mask`: a random share of the grid masked, drawn from a ratio range, with probability p.

use sslc_compiler::plan::views::RandomMask;

use super::Run;
use crate::augment::masks;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for RandomMask {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let ratio = (self.ratio.0 as f32, self.ratio.1 as f32);
        Ok(at.each_mask(|rng| masks::random_mask(self.grid, ratio, self.p as f32, rng)))
    }
}
