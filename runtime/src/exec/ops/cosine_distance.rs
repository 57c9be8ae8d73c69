//! `cosine_distance(a, b)`: mean of 2 − 2·cos(aᵢ, bᵢ) over rows → `[1]`.

use sslc_compiler::plan::ops::CosineDistance;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::val::Val;
use crate::exec::{losses, tokens};

impl Forward for CosineDistance {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        Ok(Val::Scalar(losses::cosine_distance(a, b)))
    }
}
