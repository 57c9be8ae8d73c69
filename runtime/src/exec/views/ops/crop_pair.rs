//! `crop_pair`: two crops of one image whose overlap holds at least `min_boxes` boxes (UniVIP),
//! taken apart by the plan's part steps. With views on the device, a pair cut from the scene's
//! image only draws its boxes here.

use sslc_compiler::plan::views::CropPair;

use super::Run;
use crate::augment::{Crop, boxes};
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Deferred, Source};

impl Run for CropPair {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(src)), Some(Cpu::Boxes(given))) = (at.get(self.x), at.get(self.boxes)) else {
            return Err(RunError::Internal("crop_pair needs an image and boxes".into()));
        };
        let (img, frame) = &src[0];
        let scale = (self.scale.0 as f32, self.scale.1 as f32);
        let ratio = (3.0 / 4.0, 4.0 / 3.0);
        if at.on_device && Some(self.x.0) == at.image_slot {
            let dims = (img.h, img.w);
            let pair = boxes::pair_boxes(dims, *frame, given, scale, ratio, self.min_boxes, self.tries, at.rng);
            let part = |(bx, crop): (boxes::Bx, Crop)| {
                let d = Deferred::crop(Source::Image, img.c, bx, self.size);
                Cpu::Deferred(vec![(d, crop)])
            };
            return Ok(Cpu::Parts(pair.map(part).into()));
        }
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
