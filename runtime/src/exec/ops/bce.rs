//! `bce(logits, labels)`: sigmoid binary cross-entropy, mean over all entries. `[b, k]`, multi-hot `[b, k]` → `[1]`.

use sslc_compiler::plan::ops::Bce;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for Bce {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let logits = x.take(self.logits)?.vectors()?;
        let labels = x.take(self.labels)?.vectors()?;
        Ok(Val::Scalar(losses::bce(logits, labels)))
    }
}
