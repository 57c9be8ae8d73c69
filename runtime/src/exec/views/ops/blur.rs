//! `blur`: a Gaussian blur of random σ, with probability p.

use sslc_compiler::plan::views::Blur;

use super::Run;
use crate::augment::colour;
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Photo};

impl Run for Blur {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (p, sigma) = (self.p as f32, (self.sigma.0 as f32, self.sigma.1 as f32));
        at.each_photo(
            self.x,
            |_, width, rng| Photo::Blur(colour::draw_blur(width, p, sigma, rng)),
            |img, photo| {
                if let Photo::Blur(Some(kernel)) = photo {
                    colour::apply_blur(img, kernel);
                }
            },
        )
    }
}
