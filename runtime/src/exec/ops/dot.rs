//! `dot(a, b)`: Σ_d a·b per row, rows repeated to match. `[r, d]`, `[r, d]` → scalar `[r]`.

use sslc_compiler::plan::ops::Dot;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for Dot {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(x.take(self.a)?.vectors()?, x.take(self.b)?.vectors()?);
        Ok(Val::Scalar(a.mul(b).sum_dim(1).flatten(0, 1)))
    }
}
