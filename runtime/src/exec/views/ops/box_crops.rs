//! `box_crops`: each box of the image cut out and resized to a square. With views on the device,
//! boxes of the scene's image are cut there.

use sslc_compiler::plan::views::BoxCrops;

use super::Run;
use crate::augment::{Crop, boxes};
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
                let bx = boxes::extent(b);
                let (y, x, h, w) = bx;
                let d = Deferred {
                    source: Source::Image,
                    channels: img.c,
                    bx,
                    size: self.size,
                    mirrored: false,
                    sampled: true,
                    photo: vec![],
                };
                (
                    d,
                    Crop {
                        y,
                        x,
                        h,
                        w,
                        flipped: false,
                    },
                )
            };
            return Ok(Cpu::Deferred(given.iter().map(cut).collect()));
        }
        Ok(Cpu::Image(
            given.iter().map(|b| boxes::box_crop(img, b, self.size)).collect(),
        ))
    }
}
