//! `blur`: a Gaussian blur of random σ, with probability p.

use sslc_compiler::plan::views::Blur;

use super::Run;
use crate::augment;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for Blur {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (p, sigma) = (self.p as f32, (self.sigma.0 as f32, self.sigma.1 as f32));
        at.each_view(self.x, |img, crop, rng| {
            let mut img = img.clone();
            augment::blur(&mut img, p, sigma, rng);
            (img, crop)
        })
    }
}
