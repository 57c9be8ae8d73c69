//! `vicreg(a, b, sim, var, cov)`: sim·MSE(a, b) + var·(hinge on each feature's std, both sides) + cov·(off-diagonal covariance², both sides). `[r, d]`, `[r, d]` → `[1]`.

use sslc_compiler::plan::ops::Vicreg;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::val::Val;
use crate::exec::{losses, tokens};

impl Forward for Vicreg {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        Ok(Val::Scalar(losses::vicreg(a, b, self.sim as f32, self.var as f32, self.cov as f32)))
    }
}
