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

#[cfg(test)]
mod tests {
    use super::super::check::{check_tokens, token};
    use sslc_compiler::value::Param;

    #[test]
    fn slice_tokens_keeps_len_tokens_from_start() {
        check_tokens(
            "slice_tokens",
            &[("start", Param::Num(1.0)), ("len", Param::Num(3.0))],
            |x| (0..2).flat_map(|i| (1..4).flat_map(move |t| token(x, i, t))).collect(),
        );
    }
}
