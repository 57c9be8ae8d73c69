//! `flip`: a horizontal flip with probability p (the crop records it).

use sslc_compiler::plan::views::Flip;

use super::Run;
use crate::augment::{self, Crop};
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Deferred, Source};

impl Run for Flip {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let p = self.p as f32;
        if at.on_device && Some(self.x.0) == at.image_slot {
            // The scene's square image, whole, to be cut from on the device.
            let image = &at.scene.image;
            let views = (0..at.count)
                .map(|_| {
                    let mut crop = Crop::full(image);
                    crop.flipped = at.rng.chance(p);
                    let whole = Deferred {
                        mirrored: crop.flipped,
                        ..Deferred::crop(
                            Source::Image,
                            image.c,
                            (0.0, 0.0, image.h as f32, image.w as f32),
                            image.w,
                        )
                    };
                    (whole, crop)
                })
                .collect();
            return Ok(Cpu::Deferred(views));
        }
        if at.deferred(self.x) {
            // Every op after a crop acts on each pixel or symmetrically about it, so a flip
            // anywhere in the pipeline is the crop's own columns reversed.
            return at.each_deferred(self.x, |d, mut crop, rng| {
                let mut d = d.clone();
                if rng.chance(p) {
                    d.mirrored = !d.mirrored;
                    crop.flipped = !crop.flipped;
                }
                (d, crop)
            });
        }
        at.each_view(self.x, |img, crop, rng| {
            let (mut img, mut crop) = (img.clone(), crop);
            augment::flip(&mut img, &mut crop, p, rng);
            (img, crop)
        })
    }
}
