//! `box_crops`: each box of the image cut out and resized to a square.

use sslc_compiler::plan::views::BoxCrops;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for BoxCrops {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(src)), Some(Cpu::Boxes(given))) = (at.get(self.x), at.get(self.boxes)) else {
            return Err(RunError::Internal("box_crops needs an image and boxes".into()));
        };
        Ok(Cpu::Image(
            given.iter().map(|b| boxes::box_crop(&src[0].0, b, self.size)).collect(),
        ))
    }
}
