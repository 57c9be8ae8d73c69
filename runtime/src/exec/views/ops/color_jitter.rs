//! `color_jitter`: brightness, contrast, saturation and hue jittered in a random order, with
//! probability p.

use sslc_compiler::plan::views::ColorJitter;

use super::Run;
use crate::augment;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for ColorJitter {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let strength = [self.brightness, self.contrast, self.saturation, self.hue].map(|s| s as f32);
        let p = self.p as f32;
        at.each_view(self.x, |img, crop, rng| {
            let mut img = img.clone();
            augment::color_jitter(&mut img, strength, p, rng);
            (img, crop)
        })
    }
}
