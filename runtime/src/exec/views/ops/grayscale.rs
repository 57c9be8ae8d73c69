//! `grayscale`: the image's luma in every channel, with probability p.

use sslc_compiler::plan::views::Grayscale;

use super::Run;
use crate::augment::colour;
use crate::error::RunError;
use crate::exec::views::{At, Cpu, Photo};

impl Run for Grayscale {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let p = self.p as f32;
        at.each_photo(
            self.x,
            |channels, _, rng| Photo::Grey(colour::draw_grayscale(channels, p, rng)),
            |img, photo| {
                if let Photo::Grey(true) = photo {
                    colour::to_grey(img);
                }
            },
        )
    }
}
