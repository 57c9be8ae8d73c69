//! `vicreg(a, b, sim, var, cov)`: sim·MSE(a, b) + var·(hinge on each feature's std, both sides) +
//! cov·(off-diagonal covariance², both sides). `[r, d]`, `[r, d]` → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Vicreg;

use super::{Env, Forward, Inputs, paired_rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Vicreg {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let (a, b) = paired_rows(x.take(self.a)?, x.take(self.b)?)?;
        Ok(Val::Scalar(vicreg(
            a,
            b,
            env.at(&self.sim),
            env.at(&self.var),
            env.at(&self.cov),
        )))
    }
}

/// VICReg: sim·mse(a, b) + var·(v(a) + v(b))/2 + cov·(c(a) + c(b)), with v and c the variance
/// hinge and off-diagonal covariance of each branch.
pub fn vicreg(a: Tensor<2>, b: Tensor<2>, sim: f32, var: f32, cov: f32) -> Tensor<1> {
    let invariance = a.clone().sub(b.clone()).powf_scalar(2.0).mean();
    let (va, ca) = vicreg_spread(a);
    let (vb, cb) = vicreg_spread(b);
    invariance
        .mul_scalar(sim)
        .add(va.add(vb).mul_scalar(var / 2.0))
        .add(ca.add(cb).mul_scalar(cov))
}

/// VICReg's variance and covariance terms of one branch: mean over columns of
/// max(0, 1 − √(var + 1e-4)) (unbiased variance), and the squared off-diagonal covariances
/// summed and divided by the width.
fn vicreg_spread(x: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
    let [n, d] = x.dims();
    let centred = x.clone().sub(x.mean_dim(0));
    let var = centred
        .clone()
        .powf_scalar(2.0)
        .sum_dim(0)
        .div_scalar((n - 1).max(1) as f32);
    let std = var.add_scalar(1e-4).sqrt().flatten::<1>(0, 1);
    let hinge = std.neg().add_scalar(1.0).clamp_min(0.0).mean();
    let cov = centred
        .clone()
        .transpose()
        .matmul(centred)
        .div_scalar((n - 1).max(1) as f32);
    let eye = Tensor::<2>::eye(d, &cov.device());
    let off = cov
        .mul(eye.neg().add_scalar(1.0))
        .powf_scalar(2.0)
        .sum()
        .div_scalar(d as f32);
    (hinge, off)
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn vicreg_matches_its_formula() {
        let mut rng = Rng::new(13);
        let (a, mut b) = (random(7, 3, &mut rng), random(7, 3, &mut rng));
        // Narrow one column so the variance hinge is active for it.
        for r in b.iter_mut() {
            r[1] *= 0.3;
        }
        let spread = |x: &Mat| {
            let (n, d) = (x.len() as f64, x[0].len());
            let means: Vec<f64> = (0..d).map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n).collect();
            let cov =
                |i: usize, j: usize| x.iter().map(|r| (r[i] - means[i]) * (r[j] - means[j])).sum::<f64>() / (n - 1.0);
            let hinge = (0..d).map(|j| (1.0 - (cov(j, j) + 1e-4).sqrt()).max(0.0)).sum::<f64>() / d as f64;
            let mut off = 0.0;
            for i in 0..d {
                for j in (0..d).filter(|j| *j != i) {
                    off += cov(i, j).powi(2);
                }
            }
            (hinge, off / d as f64)
        };
        let reference = |a: &Mat, b: &Mat| {
            let cells = (a.len() * a[0].len()) as f64;
            let inv = a
                .iter()
                .flatten()
                .zip(b.iter().flatten())
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>()
                / cells;
            let ((va, ca), (vb, cb)) = (spread(a), spread(b));
            25.0 * inv + 25.0 * (va + vb) / 2.0 + (ca + cb)
        };
        check("vicreg", &a, &b, reference, |a, b| super::vicreg(a, b, 25.0, 25.0, 1.0));
    }
}
