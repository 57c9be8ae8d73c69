//! `random_resized_crop`: a crop of random area and aspect ratio resized to a square. A crop of
//! the scene's own image, which keeps its picture as decoded, is cut from that picture at its
//! aspect ratio (the box recorded in the square's pixels).

use sslc_compiler::plan::views::RandomResizedCrop;

use super::Run;
use crate::augment::{self, Crop};
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for RandomResizedCrop {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (scale, ratio) = (pair(self.scale), pair(self.ratio));
        let size = self.size;
        if Some(self.x.0) == at.image_slot
            && let Some(picture) = at.scene.source.as_ref()
        {
            let [y, x, h, w] = picture.extent;
            let frame = Crop {
                y,
                x,
                h,
                w,
                flipped: false,
            };
            return Ok(Cpu::Image(
                (0..at.count)
                    .map(|_| augment::random_resized_crop(&picture.image, frame, size, scale, ratio, at.rng))
                    .collect(),
            ));
        }
        at.each_view(self.x, |img, crop, rng| {
            augment::random_resized_crop(img, crop, size, scale, ratio, rng)
        })
    }
}

fn pair(p: (f64, f64)) -> (f32, f32) {
    (p.0 as f32, p.1 as f32)
}
