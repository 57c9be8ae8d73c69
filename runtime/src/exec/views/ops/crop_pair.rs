//! `crop_pair`: two crops of one image whose overlap holds at least `min_boxes` boxes (UniVIP),
//! taken apart by the plan's part steps.

use sslc_compiler::plan::views::CropPair;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for CropPair {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(src)), Some(Cpu::Boxes(given))) = (at.get(self.x), at.get(self.boxes)) else {
            return Err(RunError::Internal("crop_pair needs an image and boxes".into()));
        };
        let (img, frame) = &src[0];
        let scale = (self.scale.0 as f32, self.scale.1 as f32);
        let ratio = (3.0 / 4.0, 4.0 / 3.0);
        let [a, b] = boxes::crop_pair(
            img,
            *frame,
            given,
            self.size,
            scale,
            ratio,
            self.min_boxes,
            self.tries,
            at.rng,
        );
        Ok(Cpu::Parts(vec![Cpu::Image(vec![a]), Cpu::Image(vec![b])]))
    }
}
