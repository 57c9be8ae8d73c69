//! `patchify(x, patch, normalize)`: images `[b, c, h, w]` cut into patches `[b, hw/p², p²c]`, each
//! standardised when `normalize` (MAE's target).

use sslc_compiler::plan::ops::Patchify;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for Patchify {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let patches = crate::tensor::patchify(x.take(self.x)?.images()?, self.patch);
        Ok(Val::Tokens(if self.normalize {
            tokens::layer_norm(patches)
        } else {
            patches
        }))
    }
}
