//! `relative_geometry`: where each view's crop lies in the frame view's crop.

use sslc_compiler::plan::views::RelativeGeometry;

use super::Run;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for RelativeGeometry {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(views), Some(frames)) = (
            at.get(self.view).and_then(Cpu::placed),
            at.get(self.frame).and_then(Cpu::placed),
        ) else {
            return Err(RunError::Internal(
                "relative_geometry of values that are not views".into(),
            ));
        };
        let frame = frames
            .first()
            .map(|(_, c)| *c)
            .ok_or_else(|| RunError::Internal("a frame without views".into()))?;
        Ok(Cpu::Geometry(
            views.iter().map(|(_, crop)| crop.relative_to(&frame)).collect(),
        ))
    }
}
