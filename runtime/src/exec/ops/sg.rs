//! `sg(x)`: the value unchanged, with no gradient flowing back through it.

use sslc_compiler::plan::ops::StopGradient;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for StopGradient {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        Ok(x.take(self.x)?.detach())
    }
}
