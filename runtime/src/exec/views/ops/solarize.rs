//! `solarize`: values above the threshold inverted, with probability p.

use sslc_compiler::plan::views::Solarize;

use super::Run;
use crate::augment;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for Solarize {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (p, threshold) = (self.p as f32, self.threshold as f32);
        at.each_view(self.x, |img, crop, rng| {
            let mut img = img.clone();
            augment::solarize(&mut img, p, threshold, rng);
            (img, crop)
        })
    }
}
