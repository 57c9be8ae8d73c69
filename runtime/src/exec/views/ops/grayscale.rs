//! `grayscale`: the image's luma in every channel, with probability p.

use sslc_compiler::plan::views::Grayscale;

use super::Run;
use crate::augment;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for Grayscale {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let p = self.p as f32;
        at.each_view(self.x, |img, crop, rng| {
            let mut img = img.clone();
            augment::grayscale(&mut img, p, rng);
            (img, crop)
        })
    }
}
