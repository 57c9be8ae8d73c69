//! `select(x, mask)`: the tokens the mask keeps, in order, skipping the class token. `[b, 1 + n,
//! d]` → `[b, kept, d]`; with `masked: true` the ones it hides, `[b, n − kept, d]`.

use sslc_compiler::plan::ops::Select;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for Select {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let mask = x.take(self.mask)?.mask()?;
        Ok(Val::Tokens(if self.masked {
            tokens::select_masked(t, &mask)?
        } else {
            tokens::select(t, &mask)?
        }))
    }
}
