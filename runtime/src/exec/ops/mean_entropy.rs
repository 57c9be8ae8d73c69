//! `mean_entropy(x, temperature: τ)`: Σ_k p̄_k log p̄_k + log K with p̄ the mean of softmax(x/τ) over all rows. `[r, K]` → `[1]`.

use sslc_compiler::plan::ops::MeanEntropy;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for MeanEntropy {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = env.at(&self.temperature);
        Ok(Val::Scalar(losses::mean_entropy(rows(x.take(self.x)?)?, t)))
    }
}
