//! `info_nce(a, b, temperature: τ)`: cross-entropy of each row of a against all rows of b on cosine logits / τ, positives on the diagonal. `[r, d]`, `[r, d]` → `[1]`.

use sslc_compiler::plan::ops::InfoNce;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for InfoNce {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let a = x.take(self.a)?.vectors()?;
        let b = x.take(self.b)?.vectors()?;
        Ok(Val::Scalar(losses::info_nce(a, b, env.at(&self.temperature))))
    }
}
