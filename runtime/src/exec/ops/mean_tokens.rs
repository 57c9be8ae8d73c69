//! `mean_tokens(x)`: the mean over tokens. `[b, n, d]` → `[b, d]`.

use sslc_compiler::plan::ops::MeanTokens;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for MeanTokens {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let [b, _, d] = t.dims();
        Ok(Val::Vectors(t.mean_dim(1).reshape([b, d])))
    }
}
