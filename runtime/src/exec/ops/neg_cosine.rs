//! `neg_cosine(a, b)`: mean of −cos(aᵢ, bᵢ) over rows; vectors `[r, d]` or tokens (flattened to rows), rows repeated to match → `[1]`.

use sslc_compiler::plan::ops::NegCosine;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::val::Val;
use crate::exec::{losses, tokens};

impl Forward for NegCosine {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        Ok(Val::Scalar(losses::neg_cosine(a, b)))
    }
}
