//! `asl(logits, labels, gamma_pos: γ+, gamma_neg: γ−, clip: m)`: the asymmetric loss, −y(1−p)^γ+ log p − (1−y) p_m^γ− log(1 − p_m) with p_m = max(p − m, 0). `[b, k]`, `[b, k]` → `[1]`.

use sslc_compiler::plan::ops::Asl;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for Asl {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let logits = x.take(self.logits)?.vectors()?;
        let labels = x.take(self.labels)?.vectors()?;
        let (gp, gn, clip) = (self.gamma_pos as f32, self.gamma_neg as f32, self.clip as f32);
        Ok(Val::Scalar(losses::asl(logits, labels, gp, gn, clip)))
    }
}
