//! `maximum(a, b)`: max(a, b) elementwise, with the broadcasting rules of arithmetic.

use sslc_compiler::plan::ops::Maximum;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::arith::{self, Binary};
use crate::val::Val;

impl Forward for Maximum {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let a = x.take(self.a)?;
        let b = x.take(self.b)?;
        arith::binary(Binary::Max, a, b)
    }
}
