//! `detcon(pred_a, pred_b, proj_a, proj_b, temperature: τ)`: DetCon-B's multi-positive InfoNCE over
//! segment slots `[b, s, d]`: each prediction against all projections of both views, positives
//! sharing image and segment id, weighted by 1/#positives; symmetric → `[1]`.

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;
use sslc_compiler::plan::ops::Detcon;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::val::Val;

impl Forward for Detcon {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let slot = |v: Val| match v {
            Val::Slots(t, owners) => {
                let [r, s, d] = t.dims();
                Ok((t.reshape([r * s, d]), owners))
            }
            v => Err(RunError::Internal(format!("detcon of {}", v.kind()))),
        };
        let (pa, oa) = slot(x.take(self.pred_a)?)?;
        let (pb, ob) = slot(x.take(self.pred_b)?)?;
        let (ta, _) = slot(x.take(self.proj_a)?)?;
        let (tb, _) = slot(x.take(self.proj_b)?)?;
        let t = env.at(&self.temperature);
        Ok(Val::Scalar(detcon(pa, pb, ta, tb, &oa, &ob, t)))
    }
}

/// DetCon-B over segment slots (CYBORGS): each online prediction against the target projections
/// of the other view (positives: same image and segment id, each weighted 1/#positives) and of
/// its own view (same image and id masked out), cosine logits / t; the two directions summed.
/// `image_a[i]`/`id_a[i]` say where slot i of view a comes from; rows with no positive count 0.
#[allow(clippy::too_many_arguments)]
pub fn detcon(
    pred_a: Tensor<2>,
    pred_b: Tensor<2>,
    proj_a: Tensor<2>,
    proj_b: Tensor<2>,
    owner_a: &[(usize, i64)],
    owner_b: &[(usize, i64)],
    t: f32,
) -> Tensor<1> {
    let one = |p: Tensor<2>, other: Tensor<2>, same: Tensor<2>, mine: &[(usize, i64)], theirs: &[(usize, i64)]| {
        let device = p.device();
        let (m, n) = (mine.len(), theirs.len());
        let p = l2norm(p);
        let cross = p.clone().matmul(l2norm(other).transpose()).div_scalar(t);
        let own = p.matmul(l2norm(same).transpose()).div_scalar(t);
        let mut positive = vec![0f32; m * n];
        let mut hide = vec![0f32; m * m];
        let mut rows_with = 0usize;
        for (i, a) in mine.iter().enumerate() {
            let count = theirs.iter().filter(|b| *b == a).count();
            rows_with += usize::from(count > 0);
            for (j, b) in theirs.iter().enumerate() {
                if a == b {
                    positive[i * n + j] = 1.0 / count as f32;
                }
            }
            for (j, b) in mine.iter().enumerate() {
                if a == b {
                    hide[i * m + j] = 1.0;
                }
            }
        }
        let positive = Tensor::<2>::from_data(burn::tensor::TensorData::new(positive, [m, n]), &device);
        let hide = Tensor::<2>::from_data(burn::tensor::TensorData::new(hide, [m, m]), &device);
        let own = own - hide.mul_scalar(1e9);
        let logp = log_softmax(Tensor::cat(vec![cross, own], 1), 1).narrow(1, 0, n);
        logp.mul(positive).sum().div_scalar(-(rows_with.max(1) as f32))
    };
    let ab = one(pred_a, proj_b.clone(), proj_a.clone(), owner_a, owner_b);
    let ba = one(pred_b, proj_a, proj_b, owner_b, owner_a);
    ab + ba
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random, tensor};
    use crate::rng::Rng;

    fn unit(v: &[f64]) -> Vec<f64> {
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn ref_detcon_one(p: &Mat, other: &Mat, same: &Mat, mine: &[(usize, i64)], theirs: &[(usize, i64)], t: f64) -> f64 {
        let dot = |a: &[f64], b: &[f64]| unit(a).iter().zip(unit(b)).map(|(x, y)| x * y).sum::<f64>();
        let mut total = 0.0;
        let mut rows = 0;
        for (i, a) in mine.iter().enumerate() {
            let mut logits: Vec<f64> = other.iter().map(|o| dot(&p[i], o) / t).collect();
            for (j, b) in mine.iter().enumerate() {
                logits.push(if a == b {
                    f64::NEG_INFINITY
                } else {
                    dot(&p[i], &same[j]) / t
                });
            }
            let max = logits.iter().cloned().fold(f64::MIN, f64::max);
            let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
            let positives: Vec<usize> = (0..theirs.len()).filter(|j| theirs[*j] == *a).collect();
            if positives.is_empty() {
                continue;
            }
            rows += 1;
            total -= positives.iter().map(|j| logits[*j] - lse).sum::<f64>() / positives.len() as f64;
        }
        total / rows as f64
    }

    #[test]
    fn detcon_matches_its_formula() {
        let mut rng = Rng::new(10);
        let (pa, pb, ta, tb) = (
            random(4, 3, &mut rng),
            random(4, 3, &mut rng),
            random(4, 3, &mut rng),
            random(4, 3, &mut rng),
        );
        let oa = [(0usize, 1i64), (0, 2), (1, 1), (1, 1)];
        let ob = [(0usize, 1i64), (0, 3), (1, 1), (1, 2)];
        let reference = |pa: &Mat, _: &Mat| {
            ref_detcon_one(pa, &tb, &ta, &oa, &ob, 0.1) + ref_detcon_one(&pb, &ta, &tb, &ob, &oa, 0.1)
        };
        let device = crate::device::default().autodiff();
        let (tpb, tta, ttb) = (tensor(&pb, &device), tensor(&ta, &device), tensor(&tb, &device));
        check("detcon", &pa, &pa, reference, |a, _| {
            super::detcon(a, tpb.clone(), tta.clone(), ttb.clone(), &oa, &ob, 0.1)
        });
    }
}
