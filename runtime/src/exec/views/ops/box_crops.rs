//! `box_crops`: each box of the image cut out and resized to a square. With views on the device,
//! boxes of the scene's image are cut there.

use sslc_compiler::plan::views::BoxCrops;

use super::Run;
use crate::augment::boxes;
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Deferred, Source};

impl Run for BoxCrops {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (Some(Cpu::Image(src)), Some(Cpu::Boxes(given))) = (at.get(self.x), at.get(self.boxes)) else {
            return Err(RunError::Internal("box_crops needs an image and boxes".into()));
        };
        let img = &src[0].0;
        if at.on_device && Some(self.x.0) == at.image_slot {
            let cut = |b: &boxes::Box2| {
                let d = Deferred {
                    sampled: true,
                    ..Deferred::crop(Source::Image, img.c, boxes::extent(b), self.size)
                };
                (d, boxes::placement(b))
            };
            return Ok(Cpu::Deferred(given.iter().map(cut).collect()));
        }
        Ok(Cpu::Image(
            given.iter().map(|b| boxes::box_crop(img, b, self.size)).collect(),
        ))
    }
}
