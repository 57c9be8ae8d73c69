//! `random_resized_crop`: a crop of random area and aspect ratio resized to a square. A crop of
//! the scene's own image, which keeps its picture as decoded, is cut from that picture at its
//! aspect ratio (the box recorded in the square's pixels). With views on the device, a crop of
//! the scene's image (or of that image flipped) only draws its box here.

use sslc_compiler::plan::views::RandomResizedCrop;

use super::Run;
use crate::augment::{self, Crop};
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Deferred, Source};

impl Run for RandomResizedCrop {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (scale, ratio) = (pair(self.scale), pair(self.ratio));
        let size = self.size;
        if Some(self.x.0) == at.image_slot {
            // The picture as decoded where the scene keeps one, else its square image.
            let (source, image, frame) = match at.scene.source.as_ref() {
                Some(picture) => {
                    let [y, x, h, w] = picture.extent;
                    let frame = Crop {
                        y,
                        x,
                        h,
                        w,
                        flipped: false,
                    };
                    (Source::Picture, &*picture.image, frame)
                }
                None => (Source::Image, &at.scene.image, Crop::full(&at.scene.image)),
            };
            let dims = (image.h, image.w);
            if at.on_device {
                let views = (0..at.count)
                    .map(|_| {
                        let bx = augment::draw_box(dims, scale, ratio, at.rng);
                        let deferred = Deferred::crop(source, image.c, bx, size);
                        (deferred, augment::placed(bx, dims, frame))
                    })
                    .collect();
                return Ok(Cpu::Deferred(views));
            }
            if source == Source::Picture {
                return Ok(Cpu::Image(
                    (0..at.count)
                        .map(|_| augment::random_resized_crop(image, frame, size, scale, ratio, at.rng))
                        .collect(),
                ));
            }
        }
        if at.deferred(self.x) {
            // A whole image, flipped or not: the box drawn on it is a box of its source.
            return at.each_deferred(self.x, |d, frame, rng| {
                let dims = (d.size, d.size);
                let b = augment::draw_box(dims, scale, ratio, rng);
                let (y, x, h, w) = b;
                let x = if d.mirrored { d.size as f32 - x - w } else { x };
                let crop = Deferred {
                    bx: (y, x, h, w),
                    size,
                    photo: vec![],
                    ..d.clone()
                };
                (crop, augment::placed(b, dims, frame))
            });
        }
        at.each_view(self.x, |img, crop, rng| {
            augment::random_resized_crop(img, crop, size, scale, ratio, rng)
        })
    }
}

fn pair(p: (f64, f64)) -> (f32, f32) {
    (p.0 as f32, p.1 as f32)
}
