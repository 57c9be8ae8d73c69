//! `flip`: a horizontal flip with probability p (the crop records it).

use sslc_compiler::plan::views::Flip;

use super::Run;
use crate::augment;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for Flip {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        let p = self.p as f32;
        at.each_view(self.x, |img, crop, rng| {
            let (mut img, mut crop) = (img.clone(), crop);
            augment::flip(&mut img, &mut crop, p, rng);
            (img, crop)
        })
    }
}
