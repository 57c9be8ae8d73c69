//! `relative_geometry`: where each view's crop lies in the frame view's crop.

use sslc_compiler::plan::views::RelativeGeometry;

use super::Run;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for RelativeGeometry {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(views)), Some(Cpu::Image(frames))) = (at.get(self.view), at.get(self.frame)) else {
            return Err(RunError::Internal(
                "relative_geometry of values that are not views".into(),
            ));
        };
        let frame = frames[0].1;
        Ok(Cpu::Geometry(
            views.iter().map(|(_, crop)| crop.relative_to(&frame)).collect(),
        ))
    }
}
