//! `overlap_boxes`: up to k of the image's boxes that lie in both views' crops.

use sslc_compiler::plan::views::OverlapBoxes;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for OverlapBoxes {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let placed = |slot| at.get(slot).and_then(Cpu::placed);
        let (Some(a), Some(b), Some(Cpu::Boxes(given))) = (placed(self.a), placed(self.b), at.get(self.boxes)) else {
            return Err(RunError::Internal("overlap_boxes needs two views and boxes".into()));
        };
        let (Some((_, a)), Some((_, b))) = (a.first(), b.first()) else {
            return Err(RunError::Internal("overlap_boxes of views without a view".into()));
        };
        Ok(Cpu::Boxes(boxes::overlap_boxes(a, b, given, self.k, at.rng)))
    }
}
