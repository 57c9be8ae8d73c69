//! `patch_mask`: a share of the grid's square blocks of patches masked (SimMIM).

use sslc_compiler::plan::views::PatchMask;

use super::Run;
use crate::augment::masks;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for PatchMask {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        Ok(at.each_mask(|rng| masks::patch_mask(self.grid, self.ratio as f32, self.block, rng)))
    }
}
