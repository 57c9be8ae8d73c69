//! `last_tokens(x, len)`: the last `len` tokens. `[b, n, d]` → `[b, len, d]`.

use sslc_compiler::plan::ops::LastTokens;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for LastTokens {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let n = t.dims()[1];
        Ok(Val::Tokens(t.narrow(1, n - self.len, self.len)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{check_tokens, token};
    use sslc_compiler::value::Param;

    #[test]
    fn last_tokens_keeps_the_last_len() {
        check_tokens("last_tokens", &[("len", Param::Num(2.0))], |x| {
            (0..2).flat_map(|i| (3..5).flat_map(move |t| token(x, i, t))).collect()
        });
    }
}
