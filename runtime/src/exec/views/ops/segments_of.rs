//! `segments_of`: the image's segment map cut and flipped as each view was.

use sslc_compiler::plan::views::SegmentsOf;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};
use crate::val::SegMap;

impl Run for SegmentsOf {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(views), Some(Cpu::Segments(maps))) = (at.get(self.view).and_then(Cpu::placed), at.get(self.segments))
        else {
            return Err(RunError::Internal("segments_of needs a view and a segment map".into()));
        };
        let m = &maps[0];
        Ok(Cpu::Segments(
            views
                .iter()
                .map(|((h, w), crop)| SegMap {
                    data: boxes::segments_of(&m.data, m.h, m.w, crop, *h, *w),
                    h: *h,
                    w: *w,
                })
                .collect(),
        ))
    }
}
