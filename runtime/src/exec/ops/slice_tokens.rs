//! `slice_tokens(x, start, len)`: tokens `start .. start + len`. `[b, n, d]` → `[b, len, d]`.

use sslc_compiler::plan::ops::SliceTokens;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for SliceTokens {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        Ok(Val::Tokens(t.narrow(1, self.start, self.len)))
    }
}
