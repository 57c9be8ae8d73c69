//! `soft_ce(a, b, student_temp, teacher_temp, center: m)`: H(softmax((b − c)/τ_t), softmax(a/τ_s)) averaged over rows, the teacher side detached; with m > 0, c is an EMA of b's batch mean kept across steps (c ← m·c + (1 − m)·mean b). `[r, k]`, `[r, k]` → `[1]`.

use sslc_compiler::plan::ops::SoftCe;

use super::rows;
use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::val::Val;
use crate::exec::{losses, tokens};

impl Forward for SoftCe {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        let b = match (self.center > 0.0, env.state) {
            (true, Some(state)) => state.center(b, self.center as f32),
            _ => b,
        };
        let (student, teacher) = (env.at(&self.student_temp), env.at(&self.teacher_temp));
        Ok(Val::Scalar(losses::soft_ce(a, b, student, teacher)))
    }
}
