//! `solarize`: values above the threshold inverted, with probability p.

use sslc_compiler::plan::views::Solarize;

use super::Run;
use crate::augment::colour;
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Photo};

impl Run for Solarize {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let (p, threshold) = (self.p as f32, self.threshold as f32);
        at.each_photo(
            self.x,
            |_, _, rng| Photo::Solarize(rng.chance(p).then_some(threshold)),
            |img, photo| {
                if let Photo::Solarize(Some(t)) = photo {
                    colour::apply_solarize(img, *t);
                }
            },
        )
    }
}
