//! `select(x, mask)`: the tokens the mask keeps, in order, skipping the class token. `[b, 1 + n,
//! d]` → `[b, kept, d]`.

use sslc_compiler::plan::ops::Select;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for Select {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        Ok(Val::Tokens(tokens::select(t, &x.take(self.mask)?.mask()?)))
    }
}
