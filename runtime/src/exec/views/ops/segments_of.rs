//! `segments_of`: the image's segment map cut and flipped as each view was.

use sslc_compiler::plan::views::SegmentsOf;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};
use crate::val::SegMap;

impl Run for SegmentsOf {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(views)), Some(Cpu::Segments(maps))) = (at.get(self.view), at.get(self.segments)) else {
            return Err(RunError::Internal("segments_of needs a view and a segment map".into()));
        };
        let m = &maps[0];
        Ok(Cpu::Segments(
            views
                .iter()
                .map(|(img, crop)| SegMap {
                    data: boxes::segments_of(&m.data, m.h, m.w, crop, img.h, img.w),
                    h: img.h,
                    w: img.w,
                })
                .collect(),
        ))
    }
}
