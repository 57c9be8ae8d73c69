//! `barlow_twins(a, b, lambda: λ)`: Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij² for the cross-correlation C of the batch-standardised rows. `[r, d]`, `[r, d]` → `[1]`.

use sslc_compiler::plan::ops::BarlowTwins;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::val::Val;
use crate::exec::{losses, tokens};

impl Forward for BarlowTwins {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        Ok(Val::Scalar(losses::barlow_twins(a, b, self.lambda as f32)))
    }
}
