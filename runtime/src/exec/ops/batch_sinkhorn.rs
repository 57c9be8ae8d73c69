//! `batch_sinkhorn(x, eps, iters)`: SwAV's codes. Scores `[images·v, K]` against K prototypes →
//! codes `[images·v, K]`: per view, Q = exp(x/ε) over the images, then `iters` times each
//! prototype's column scaled to 1/K and each image's row to 1/B; finally Q·B, so each code sums
//! to 1 and the prototypes share the batch equally. `extra:` (a bank `[s, K]` of earlier scores,
//! SwAV's queue) joins each view's rows for the balancing only. Without gradient.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::BatchSinkhorn;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for BatchSinkhorn {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let extra = match self.extra {
            Some(bank) => Some(x.take(bank)?.bank()?),
            None => None,
        };
        let (eps, iters) = (env.at(&self.eps), self.iters);
        Ok(match x.take(self.x)? {
            // Every token of every image a row: [b·v, L, K] as rows of b·L "images".
            Val::Tokens(t) => {
                let [rows, len, k] = t.dims();
                let (b, views) = (env.images.max(1), rows / env.images.max(1));
                let as_rows = t
                    .reshape([b, views, len, k])
                    .swap_dims(1, 2)
                    .reshape([b * len * views, k]);
                let codes = batch_sinkhorn(as_rows, extra, b * len, eps, iters);
                Val::Tokens(
                    codes
                        .reshape([b, len, views, k])
                        .swap_dims(1, 2)
                        .reshape([rows, len, k]),
                )
            }
            v => Val::Vectors(batch_sinkhorn(v.vectors()?, extra, env.images, eps, iters)),
        })
    }
}

/// The codes of `scores` (`[images·v, K]`, an image's views consecutive), each view balanced
/// over the `images` on its own, together with the rows of `extra` (`[s, K]`, a memory of
/// earlier scores: SwAV's queue) when given, which share the balancing but get no code.
pub fn batch_sinkhorn(scores: Tensor<2>, extra: Option<Tensor<2>>, images: usize, eps: f32, iters: usize) -> Tensor<2> {
    let [rows, k] = scores.dims();
    let (b, views) = (images.max(1), rows / images.max(1));
    // [views, s + B, K]; exp of the scores less their largest (the scaling removes any constant).
    let mut s = scores.detach().reshape([b, views, k]).swap_dims(0, 1);
    let kept = extra.map_or(0, |e| {
        let [size, _] = e.dims();
        let e = crate::tensor::beside(e, &s)
            .unsqueeze_dim::<3>(0)
            .expand([views, size, k]);
        s = Tensor::cat(vec![e, s.clone()], 1);
        size
    });
    let n = kept + b;
    let max = s.clone().max_dim(2).max_dim(1);
    let mut q = (s - max).div_scalar(eps).exp();
    q = q.clone() / q.sum_dim(2).sum_dim(1);
    for _ in 0..iters.max(1) {
        q = q.clone() / q.sum_dim(1).mul_scalar(k as f32);
        q = q.clone() / q.sum_dim(2).mul_scalar(n as f32);
    }
    q.mul_scalar(n as f32)
        .narrow(1, kept, b)
        .swap_dims(0, 1)
        .reshape([rows, k])
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, random, tensor};
    use crate::rng::Rng;

    /// SwAV's loop in float64, on one view: `scores` is B × K.
    fn reference(scores: &Mat, eps: f64, iters: usize) -> Mat {
        let (b, k) = (scores.len(), scores[0].len());
        let mut q: Mat = scores
            .iter()
            .map(|r| r.iter().map(|v| (v / eps).exp()).collect())
            .collect();
        let total: f64 = q.iter().flatten().sum();
        q.iter_mut().flatten().for_each(|v| *v /= total);
        for _ in 0..iters {
            for j in 0..k {
                let col: f64 = q.iter().map(|r| r[j]).sum();
                q.iter_mut().for_each(|r| r[j] /= col * k as f64);
            }
            for r in q.iter_mut() {
                let row: f64 = r.iter().sum();
                r.iter_mut().for_each(|v| *v /= row * b as f64);
            }
        }
        q.iter_mut().flatten().for_each(|v| *v *= b as f64);
        q
    }

    #[test]
    fn batch_sinkhorn_follows_swavs_loop_and_balances_the_prototypes() {
        let device = crate::device::default();
        let mut rng = Rng::new(21);
        // 6 images, 4 prototypes, scores like cosine similarities.
        let scores: Mat = random(6, 4, &mut rng)
            .into_iter()
            .map(|r| r.into_iter().map(|v| v * 0.3).collect())
            .collect();
        let got: Vec<f32> = super::batch_sinkhorn(tensor(&scores, &device), None, 6, 0.1, 3)
            .try_into_vec_as()
            .expect("codes");
        let want = reference(&scores, 0.1, 3);
        for (i, (g, w)) in got.iter().zip(want.iter().flatten()).enumerate() {
            assert!((*g as f64 - w).abs() < 1e-4, "code {i}: {g} vs {w}");
        }
        // After many iterations: each code sums to 1, each prototype gets B/K of the batch.
        let long: Vec<f32> = super::batch_sinkhorn(tensor(&scores, &device), None, 6, 0.1, 200)
            .try_into_vec_as()
            .expect("codes");
        for r in long.chunks(4) {
            assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{r:?}");
        }
        for j in 0..4 {
            let col: f32 = long.chunks(4).map(|r| r[j]).sum();
            assert!((col - 1.5).abs() < 1e-3, "prototype {j}: {col}");
        }
    }

    #[test]
    fn each_view_is_balanced_over_the_images_on_its_own() {
        let device = crate::device::default();
        let mut rng = Rng::new(22);
        // 3 images × 2 views (an image's views consecutive), 5 prototypes.
        let scores = random(6, 5, &mut rng);
        let both: Vec<f32> = super::batch_sinkhorn(tensor(&scores, &device), None, 3, 0.5, 3)
            .try_into_vec_as()
            .expect("codes");
        for view in 0..2 {
            let one: Mat = (0..3).map(|i| scores[i * 2 + view].clone()).collect();
            let want = reference(&one, 0.5, 3);
            for (i, w) in want.iter().enumerate() {
                for (j, w) in w.iter().enumerate() {
                    let g = both[(i * 2 + view) * 5 + j] as f64;
                    assert!(
                        (g - w).abs() < 1e-4,
                        "view {view}, image {i}, prototype {j}: {g} vs {w}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_queue_of_earlier_scores_joins_the_balancing_and_gets_no_code() {
        let device = crate::device::default();
        let mut rng = Rng::new(23);
        // SwAV: the queue's scores first, then the batch's; the batch's codes are the last rows.
        let (queue, batch) = (random(5, 4, &mut rng), random(3, 4, &mut rng));
        let got: Vec<f32> = super::batch_sinkhorn(tensor(&batch, &device), Some(tensor(&queue, &device)), 3, 0.5, 3)
            .try_into_vec_as()
            .expect("codes");
        let joined: Mat = queue.iter().chain(&batch).cloned().collect();
        let want: Vec<f64> = reference(&joined, 0.5, 3)[5..].iter().flatten().copied().collect();
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((*g as f64 - w).abs() < 1e-4, "code {i}: {g} vs {w}");
        }
    }

    #[test]
    fn tokens_are_balanced_over_every_token_of_the_batch() {
        use super::super::check::apply;
        use crate::val::Val;
        use sslc_compiler::value::Param;
        let device = crate::device::default();
        let mut rng = Rng::new(24);
        // 2 images × 3 tokens of scores against 4 prototypes: as 6 rows of one view.
        let rows = random(6, 4, &mut rng);
        let tokens = super::super::check::data(&rows.iter().flatten().copied().collect::<Vec<_>>(), [2, 3, 4], &device);
        let params = [("eps", Param::Num(0.5)), ("iters", Param::Num(3.0))];
        let Val::Tokens(codes) = apply("batch_sinkhorn", &params, vec![("x", Val::Tokens(tokens))], 2) else {
            panic!("tokens");
        };
        let got: Vec<f32> = codes.try_into_vec_as().expect("codes");
        let want = reference(&rows, 0.5, 3);
        for (i, (g, w)) in got.iter().zip(want.iter().flatten()).enumerate() {
            assert!((*g as f64 - w).abs() < 1e-4, "code {i}: {g} vs {w}");
        }
    }
}
