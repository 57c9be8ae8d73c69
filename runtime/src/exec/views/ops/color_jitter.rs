//! `color_jitter`: brightness, contrast, saturation and hue jittered in a random order, with
//! probability p.

use sslc_compiler::plan::views::ColorJitter;

use super::Run;
use crate::augment::colour;
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Photo};

impl Run for ColorJitter {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let strength = [self.brightness, self.contrast, self.saturation, self.hue].map(|s| s as f32);
        let p = self.p as f32;
        at.each_photo(
            self.x,
            |channels, _, rng| Photo::Jitter(colour::draw_jitter(channels, strength, p, rng)),
            |img, photo| {
                if let Photo::Jitter(Some(jitter)) = photo {
                    colour::apply_jitter(img, jitter);
                }
            },
        )
    }
}
