//! `soft_ce(a, b, student_temp, teacher_temp, center: m)`: H(softmax((b − c)/τ_t), softmax(a/τ_s))
//! averaged over rows, the teacher side detached (by its parameter's mark, where the op runs);
//! with m > 0, c is an EMA of b's batch mean kept across steps (c ← m·c + (1 − m)·mean b).
//! `[r, k]`, `[r, k]` → `[1]`.

use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::ops::{Pairs, SoftCe};

use super::{Env, Forward, Inputs, paired_rows, rows};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::{Mask, Val};

impl Forward for SoftCe {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        if let Some(mask) = self.mask {
            let (a, b) = (x.take(self.a)?.tokens()?, x.take(self.b)?.tokens()?);
            let mask = x.take(mask)?.mask()?;
            let b = match (self.center > 0.0, env.state) {
                (true, Some(state)) => {
                    let [r, l, k] = b.dims();
                    state
                        .center(b.reshape([r * l, k]), self.center as f32)
                        .reshape([r, l, k])
                }
                _ => b,
            };
            let (student, teacher) = (env.at(&self.student_temp), env.at(&self.teacher_temp));
            return Ok(Val::Scalar(soft_ce_masked(a, b, &mask, student, teacher)));
        }
        let (a, b) = match self.pairs {
            Pairs::Matched => paired_rows(x.take(self.a)?, x.take(self.b)?)?,
            Pairs::Cross => (rows(x.take(self.a)?)?, rows(x.take(self.b)?)?),
        };
        let b = match (self.center > 0.0, env.state) {
            (true, Some(state)) => state.center(b, self.center as f32),
            _ => b,
        };
        let (student, teacher) = (env.at(&self.student_temp), env.at(&self.teacher_temp));
        if let Some((seen, step)) = env.observe {
            let (per_row, mean) = crate::exec::observe::teacher_entropies(softmax(b.clone().div_scalar(teacher), 1));
            seen.record(step, "teacher_entropy", per_row);
            seen.record(step, "teacher_mean_entropy", mean);
            let k = b.dims()[1] as f32;
            seen.record(
                step,
                "teacher_classes",
                Tensor::from_data(TensorData::new(vec![k], [1]), &b.device()),
            );
        }
        Ok(Val::Scalar(match self.pairs {
            Pairs::Matched => soft_ce(a, b, student, teacher),
            Pairs::Cross => soft_ce_cross(a, b, env.images.max(1), student, teacher),
        }))
    }
}

/// DINO's multi-crop loss: with `a` `[images·na, k]` and `b` `[images·nb, k]` (an image's views
/// consecutive, `b`'s views the first `nb` of `a`'s), the mean over images and over every pair
/// (i < nb, j < na, j ≠ i) of −Σₖ softmax(bᵢ/τ_t)ₖ · log softmax(aⱼ/τ_s)ₖ.
pub fn soft_ce_cross(a: Tensor<2>, b: Tensor<2>, images: usize, student_temp: f32, teacher_temp: f32) -> Tensor<1> {
    let ([ra, k], rb) = (a.dims(), b.dims()[0]);
    let (na, nb) = (ra / images, rb / images);
    let q = softmax(b.div_scalar(teacher_temp), 1).reshape([images, nb, k]);
    let logp = log_softmax(a.div_scalar(student_temp), 1).reshape([images, na, k]);
    // [images, nb, na]: every teacher view against every student view.
    let ce = q.matmul(logp.swap_dims(1, 2)).neg();
    let other: Vec<f32> = (0..nb * na).map(|p| if p / na == p % na { 0.0 } else { 1.0 }).collect();
    let pairs = (nb * na - nb.min(na)) as f32;
    let other = Tensor::<2>::from_data(TensorData::new(other, [nb, na]), &ce.device()).unsqueeze_dim::<3>(0);
    ce.mul(other).sum().div_scalar(pairs * images as f32)
}

/// iBOT's patch loss: with `a`, `b` `[rows, (1 +) tokens, k]` on the mask's grid, each row's
/// mean over the tokens the mask hides of −Σₖ softmax(b/τ_t)ₖ · log softmax(a/τ_s)ₖ (0 where it
/// hides none), then the mean over rows. A class token is left out.
pub fn soft_ce_masked(a: Tensor<3>, b: Tensor<3>, mask: &Mask, student_temp: f32, teacher_temp: f32) -> Tensor<1> {
    let tokens = mask.masked.dims()[1];
    let (a, b) = (tokens::grid_part(a, tokens), tokens::grid_part(b, tokens));
    let q = softmax(b.div_scalar(teacher_temp), 2);
    let logp = log_softmax(a.div_scalar(student_temp), 2);
    super::hidden_mean(q.mul(logp).sum_dim(2).squeeze_dim::<2>(2).neg(), mask)
}

/// Cross-entropy of the student against the detached teacher: mean over rows of
/// −Σₖ softmax(b/τ_t)ₖ · log softmax(a/τ_s)ₖ (DINO, iBOT, FLSL). Centering, if any, is done by
/// the caller on `b`.
pub fn soft_ce(a: Tensor<2>, b: Tensor<2>, student_temp: f32, teacher_temp: f32) -> Tensor<1> {
    let q = softmax(b.div_scalar(teacher_temp), 1);
    let logp = log_softmax(a.div_scalar(student_temp), 1);
    q.mul(logp).sum_dim(1).neg().mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, apply, check, random, tensor};
    use crate::rng::Rng;
    use crate::val::Val;

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
        // The teacher side is detached where the op runs, by the mark its `b` carries.
        use sslc_compiler::value::{Param, Schedule};
        let device = crate::device::default().autodiff();
        let (ta, tb) = (tensor(&a, &device).require_grad(), tensor(&b, &device).require_grad());
        let temp = |value| Param::Schedule(Schedule::Constant { value });
        let params = [
            ("student_temp", temp(0.1)),
            ("teacher_temp", temp(0.04)),
            ("center", Param::Num(0.0)),
            ("pairs", Param::Str("matched".into())),
        ];
        let inputs = vec![("a", Val::Vectors(ta.clone())), ("b", Val::Vectors(tb.clone()))];
        let Val::Scalar(loss) = apply("soft_ce", &params, inputs, 5) else {
            panic!("a scalar");
        };
        let grads = loss.backward();
        assert!(ta.grad(&grads).is_some(), "the student learns");
        assert!(tb.grad(&grads).is_none(), "the teacher received a gradient");
    }

    #[test]
    fn cross_pairs_average_every_teacher_view_against_every_other_student_view() {
        // 2 images; the student has 3 views, the teacher the first 2; 4 classes.
        let (images, na, nb, k) = (2, 3, 2, 4);
        let mut rng = Rng::new(12);
        let (a, b) = (random(images * na, k, &mut rng), random(images * nb, k, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let mut sum = 0.0;
            for img in 0..images {
                for i in 0..nb {
                    for j in (0..na).filter(|j| *j != i) {
                        let q = softmax_row(&b[img * nb + i], 0.04);
                        let p = softmax_row(&a[img * na + j], 0.1);
                        sum -= q.iter().zip(&p).map(|(q, p)| q * p.ln()).sum::<f64>();
                    }
                }
            }
            // Four pairs an image: (0,1), (0,2), (1,0), (1,2).
            sum / (images * 4) as f64
        };
        check("soft_ce cross", &a, &b, reference, |a, b| {
            super::soft_ce_cross(a, b, images, 0.1, 0.04)
        });
    }

    #[test]
    fn a_masked_soft_ce_averages_each_row_over_its_hidden_tokens_and_leaves_out_the_class_token() {
        // 2 rows of a class token and a 2×2 grid, 3 classes; row 0 hides grid tokens 1 and 2,
        // row 1 hides none (an image iBOT leaves unmasked), so it adds 0 to the mean.
        let (rows, len, k) = (2, 5, 3);
        let hidden = [[false, true, true, false], [false; 4]];
        let mut rng = Rng::new(21);
        let (a, b) = (random(rows * len, k, &mut rng), random(rows * len, k, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let mut sum = 0.0;
            for (r, row) in hidden.iter().enumerate() {
                let places: Vec<usize> = (0..4).filter(|t| row[*t]).collect();
                let mut ce = 0.0;
                for t in &places {
                    let q = softmax_row(&b[r * len + 1 + t], 0.04);
                    let p = softmax_row(&a[r * len + 1 + t], 0.1);
                    ce -= q.iter().zip(&p).map(|(q, p)| q * p.ln()).sum::<f64>();
                }
                sum += ce / places.len().max(1) as f64;
            }
            sum / rows as f64
        };
        check("soft_ce masked", &a, &b, reference, |a, b| {
            let mask = super::super::check::hiding(&[&hidden[0], &hidden[1]], &a.device());
            super::soft_ce_masked(a.reshape([rows, len, k]), b.reshape([rows, len, k]), &mask, 0.1, 0.04)
        });
    }
}
