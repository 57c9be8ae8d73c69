//! `attend(q, k, beta)`: softmax(β·q kᵀ) k, attention with the keys as values. `[b, n, d]`, `[b, m,
//! d]` → `[b, n, d]`.

use sslc_compiler::plan::ops::Attend;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for Attend {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let q = x.take(self.q)?.tokens()?;
        let k = x.take(self.k)?.tokens()?;
        Ok(Val::Tokens(tokens::attend(q, k, env.at(&self.beta))))
    }
}
