//! `window_queries`: one random token of every window of the grid kept, the rest masked (FLSL's
//! queries).

use sslc_compiler::plan::views::WindowQueries;

use super::Run;
use crate::augment::masks;
use crate::error::RunError;
use crate::exec::views::{At, Cpu};

impl Run for WindowQueries {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
        Ok(at.each_mask(|rng| masks::window_queries(self.grid, self.window, rng)))
    }
}
