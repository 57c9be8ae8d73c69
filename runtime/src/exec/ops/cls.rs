//! `cls(x)`: the class token of each row. Tokens `[b, n, d]` → vectors `[b, d]`.

use sslc_compiler::plan::ops::Cls;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Cls {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let [b, _, d] = t.dims();
        Ok(Val::Vectors(t.narrow(1, 0, 1).reshape([b, d])))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{check_tokens, token};

    #[test]
    fn cls_takes_the_first_token_of_each_image() {
        check_tokens("cls", &[], |x| (0..2).flat_map(|i| token(x, i, 0)).collect());
    }
}
