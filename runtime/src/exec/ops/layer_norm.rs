//! `layer_norm(x)`: each token of `[b, n, d]` standardised over its d features (no affine).

use sslc_compiler::plan::ops::LayerNorm;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for LayerNorm {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        Ok(Val::Tokens(tokens::layer_norm(x.take(self.x)?.tokens()?)))
    }
}
