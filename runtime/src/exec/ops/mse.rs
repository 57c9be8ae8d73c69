//! `mse(a, b)`: the mean of (a − b)² over every entry, any two values of one shape → `[1]`.

use sslc_compiler::plan::ops::Mse;

use super::flat;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for Mse {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let a = flat(x.take(self.a)?)?;
        let b = flat(x.take(self.b)?)?;
        Ok(Val::Scalar(losses::mse(a, b)))
    }
}
