//! `concat_tokens(a, b)`: the tokens of `b` after those of `a`, rows repeated to match. `[r, n,
//! d]`, `[r, m, d]` → `[r, n + m, d]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::ConcatTokens;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for ConcatTokens {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows3(x.take(self.a)?.tokens()?, x.take(self.b)?.tokens()?);
        Ok(Val::Tokens(Tensor::cat(vec![a, b], 1)))
    }
}
