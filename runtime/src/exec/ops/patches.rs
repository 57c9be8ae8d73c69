//! `patches(x)`: every token but the first (the class token). `[b, n, d]` → `[b, n − 1, d]`.

use sslc_compiler::plan::ops::Patches;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Patches {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let n = t.dims()[1];
        Ok(Val::Tokens(t.narrow(1, 1, n - 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{check_tokens, token};

    #[test]
    fn patches_drops_the_class_token() {
        check_tokens("patches", &[], |x| {
            (0..2).flat_map(|i| (1..5).flat_map(move |t| token(x, i, t))).collect()
        });
    }
}
