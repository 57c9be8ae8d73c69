//! `soft_ce(a, b, student_temp, teacher_temp, center: m)`: H(softmax((b − c)/τ_t), softmax(a/τ_s))
//! averaged over rows, the teacher side detached; with m > 0, c is an EMA of b's batch mean kept
//! across steps (c ← m·c + (1 − m)·mean b). `[r, k]`, `[r, k]` → `[1]`.

use burn::tensor::Tensor;
use burn::tensor::activation::{log_softmax, softmax};
use sslc_compiler::plan::ops::SoftCe;

use super::{Env, Forward, Inputs, rows};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for SoftCe {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(rows(x.take(self.a)?)?, rows(x.take(self.b)?)?);
        let b = match (self.center > 0.0, env.state) {
            (true, Some(state)) => state.center(b, self.center as f32),
            _ => b,
        };
        let (student, teacher) = (env.at(&self.student_temp), env.at(&self.teacher_temp));
        Ok(Val::Scalar(soft_ce(a, b, student, teacher)))
    }
}

/// Cross-entropy of the student against the detached teacher: mean over rows of
/// −Σₖ softmax(b/τ_t)ₖ · log softmax(a/τ_s)ₖ (DINO, iBOT, FLSL). Centering, if any, is done by
/// the caller on `b`.
pub fn soft_ce(a: Tensor<2>, b: Tensor<2>, student_temp: f32, teacher_temp: f32) -> Tensor<1> {
    let q = softmax(b.div_scalar(teacher_temp), 1).detach();
    let logp = log_softmax(a.div_scalar(student_temp), 1);
    q.mul(logp).sum_dim(1).neg().mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random, tensor};
    use crate::rng::Rng;

    fn softmax_row(r: &[f64], t: f64) -> Vec<f64> {
        let max = r.iter().cloned().fold(f64::MIN, f64::max);
        let e: Vec<f64> = r.iter().map(|v| ((v - max) / t).exp()).collect();
        let z: f64 = e.iter().sum();
        e.into_iter().map(|v| v / z).collect()
    }

    #[test]
    fn soft_ce_matches_its_formula_and_only_the_student_learns() {
        let mut rng = Rng::new(8);
        let (a, b) = (random(5, 6, &mut rng), random(5, 6, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let mut sum = 0.0;
            for (ar, br) in a.iter().zip(b) {
                let q = softmax_row(br, 0.04);
                let p = softmax_row(ar, 0.1);
                sum -= q.iter().zip(&p).map(|(q, p)| q * p.ln()).sum::<f64>();
            }
            sum / a.len() as f64
        };
        check("soft_ce", &a, &b, reference, |a, b| super::soft_ce(a, b, 0.1, 0.04));
        // The teacher side is detached inside the loss.
        let device = crate::device::default().autodiff();
        let tb = tensor(&b, &device).require_grad();
        let grads = super::soft_ce(tensor(&a, &device).require_grad(), tb.clone(), 0.1, 0.04).backward();
        assert!(tb.grad(&grads).is_none(), "the teacher received a gradient");
    }
}
