//! `unigrad(a, b, lambda: λ)`: (1/D)[mean‖a − b‖² + λ·mean aᵀFa] with F = mean(b bᵀ), over all rows. `[r, D]`, `[r, D]` → `[1]`.

use sslc_compiler::plan::ops::Unigrad;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::val::Val;
use crate::exec::{losses, tokens};

impl Forward for Unigrad {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        Ok(Val::Scalar(losses::unigrad(a, b, self.lambda as f32)))
    }
}
