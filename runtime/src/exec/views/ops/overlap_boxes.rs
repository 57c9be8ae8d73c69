//! `overlap_boxes`: up to k of the image's boxes that lie in both views' crops.

use sslc_compiler::plan::views::OverlapBoxes;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for OverlapBoxes {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(a)), Some(Cpu::Image(b)), Some(Cpu::Boxes(given))) =
            (at.get(self.a), at.get(self.b), at.get(self.boxes))
        else {
            return Err(RunError::Internal("overlap_boxes needs two views and boxes".into()));
        };
        Ok(Cpu::Boxes(boxes::overlap_boxes(
            &a[0].1, &b[0].1, given, self.k, at.rng,
        )))
    }
}
