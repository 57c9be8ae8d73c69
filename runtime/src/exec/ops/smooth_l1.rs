//! `smooth_l1(a, b, beta: β)`: PyTorch's `smooth_l1_loss` with mean reduction. Any two values of
//! one shape, flattened → `[1]`:
//!
//!   mean_i ℓ(dᵢ), dᵢ = aᵢ − bᵢ,  ℓ(d) = ½d²/β if |d| < β, else |d| − ½β;  β = 0: ℓ(d) = |d|.
//!
//! Written as ½·min(|d|, β)²/β + (|d| − min(|d|, β)), which is the same function with one
//! expression for both pieces, so autodiff needs no mask.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::SmoothL1;

use super::{Env, Forward, Inputs, hidden_mean, masked_difference, spread_pair};
use crate::error::RunError;
use crate::val::Val;

impl Forward for SmoothL1 {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        if let Some(mask) = self.mask {
            let (d, mask) = masked_difference(x, self.a, self.b, mask)?;
            let per_token = elementwise(d, env.at(&self.beta)).mean_dim(2).squeeze_dim::<2>(2);
            return Ok(Val::Scalar(hidden_mean(per_token, &mask)));
        }
        let (a, b) = spread_pair(x, &env, self.a, self.b)?;
        Ok(Val::Scalar(smooth_l1(a, b, env.at(&self.beta))))
    }
}

/// The loss of two flat tensors of one length.
pub fn smooth_l1(a: Tensor<1>, b: Tensor<1>, beta: f32) -> Tensor<1> {
    elementwise(a - b, beta).mean()
}

/// ℓ(d) of each entry of `d = a − b`.
fn elementwise<const D: usize>(d: Tensor<D>, beta: f32) -> Tensor<D> {
    let d = d.abs();
    if beta <= 0.0 {
        return d;
    }
    let near = d.clone().clamp_max(beta);
    near.clone().powf_scalar(2.0).mul_scalar(0.5 / beta) + d - near
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    fn reference(a: &Mat, b: &Mat, beta: f64) -> f64 {
        let d: Vec<f64> = a.iter().flatten().zip(b.iter().flatten()).map(|(x, y)| x - y).collect();
        let l = |d: f64| {
            if d.abs() < beta {
                0.5 * d * d / beta
            } else {
                d.abs() - 0.5 * beta
            }
        };
        d.iter().map(|d| l(*d)).sum::<f64>() / d.len() as f64
    }

    #[test]
    fn smooth_l1_matches_its_formula_on_both_pieces() {
        let mut rng = Rng::new(21);
        // Standard normal differences of two normals: about half fall below β = 1.2.
        let (a, b) = (random(4, 5, &mut rng), random(4, 5, &mut rng));
        for beta in [1.2, 0.3] {
            check(
                "smooth_l1",
                &a,
                &b,
                |a, b| reference(a, b, beta),
                |a, b| super::smooth_l1(a.flatten(0, 1), b.flatten(0, 1), beta as f32),
            );
        }
    }

    #[test]
    fn beta_zero_is_the_l1_loss() {
        let mut rng = Rng::new(22);
        let (a, b) = (random(3, 4, &mut rng), random(3, 4, &mut rng));
        let l1 = |a: &Mat, b: &Mat| {
            let n = (a.len() * a[0].len()) as f64;
            a.iter()
                .flatten()
                .zip(b.iter().flatten())
                .map(|(x, y)| (x - y).abs())
                .sum::<f64>()
                / n
        };
        check("smooth_l1 β=0", &a, &b, l1, |a, b| {
            super::smooth_l1(a.flatten(0, 1), b.flatten(0, 1), 0.0)
        });
    }

    #[test]
    fn both_pieces_are_used() {
        // The check above is only meaningful if differences fall on both sides of β.
        let mut rng = Rng::new(21);
        let (a, b) = (random(4, 5, &mut rng), random(4, 5, &mut rng));
        let d: Vec<f64> = a
            .iter()
            .flatten()
            .zip(b.iter().flatten())
            .map(|(x, y)| (x - y).abs())
            .collect();
        assert!(d.iter().any(|d| *d < 0.3) && d.iter().any(|d| *d > 1.2));
    }
}
