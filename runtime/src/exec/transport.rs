//! Entropic optimal transport (UniVIP): log-domain Sinkhorn–Knopp, without gradient.

use burn::tensor::Tensor;

/// The transport plan for cost `[batch, n, m]` between row marginals `[batch·n]` and column
/// marginals `[batch·m]`, each normalised to unit mass per image, regularised by `eps`, after
/// `iters` alternating updates of the log-potentials. Detached: the plan carries no gradient.
pub fn sinkhorn(cost: Tensor<3>, rows: Tensor<1>, cols: Tensor<1>, eps: f32, iters: usize) -> Tensor<3> {
    let [b, n, m] = cost.dims();
    let marginal = |t: Tensor<1>, k: usize| {
        let t = t.detach().reshape([b, k]).clamp_min(0.0).add_scalar(1e-8);
        let total = t.clone().sum_dim(1);
        (t / total).log()
    };
    let (log_r, log_c) = (marginal(rows, n), marginal(cols, m));
    let k = cost.detach().div_scalar(-eps);
    let mut log_u = log_r.zeros_like();
    let mut log_v = log_c.zeros_like();
    for _ in 0..iters.max(1) {
        let over_m = logsumexp(k.clone() + log_v.clone().unsqueeze_dim::<3>(1), 2);
        log_u = log_r.clone() - over_m;
        let over_n = logsumexp(k.clone() + log_u.clone().unsqueeze_dim::<3>(2), 1);
        log_v = log_c.clone() - over_n;
    }
    (k + log_u.unsqueeze_dim::<3>(2) + log_v.unsqueeze_dim::<3>(1)).exp()
}

/// log Σ exp over axis `dim` of a `[b, n, m]` tensor, stably; the axis is removed.
fn logsumexp(x: Tensor<3>, dim: usize) -> Tensor<2> {
    let max = x.clone().max_dim(dim);
    let out = (x - max.clone()).exp().sum_dim(dim).log() + max;
    out.squeeze_dim::<2>(dim)
}

#[cfg(test)]
mod tests {
    use crate::exec::transport::sinkhorn;
    use crate::rng::Rng;
    use burn::tensor::{Tensor, TensorData};

    fn reference(cost: &[f64], r: &[f64], c: &[f64], n: usize, m: usize, eps: f64, iters: usize) -> Vec<f64> {
        let (rs, cs): (f64, f64) = (r.iter().map(|x| x + 1e-8).sum(), c.iter().map(|x| x + 1e-8).sum());
        let r: Vec<f64> = r.iter().map(|x| (x + 1e-8) / rs).collect();
        let c: Vec<f64> = c.iter().map(|x| (x + 1e-8) / cs).collect();
        let k: Vec<f64> = cost.iter().map(|x| (-x / eps).exp()).collect();
        let (mut u, mut v) = (vec![1.0; n], vec![1.0; m]);
        for _ in 0..iters {
            for i in 0..n {
                u[i] = r[i] / (0..m).map(|j| k[i * m + j] * v[j]).sum::<f64>();
            }
            for j in 0..m {
                v[j] = c[j] / (0..n).map(|i| k[i * m + j] * u[i]).sum::<f64>();
            }
        }
        (0..n * m).map(|ij| u[ij / m] * k[ij] * v[ij % m]).collect()
    }

    #[test]
    fn the_plan_matches_float64_sinkhorn_and_its_marginals() {
        let device = crate::device::default();
        let mut rng = Rng::new(5);
        let (n, m) = (3, 4);
        let cost: Vec<f64> = (0..n * m).map(|_| rng.range(0.0, 2.0) as f64).collect();
        let r: Vec<f64> = (0..n).map(|_| rng.range(0.1, 1.0) as f64).collect();
        let c: Vec<f64> = (0..m).map(|_| rng.range(0.1, 1.0) as f64).collect();
        let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<_>>();
        let plan = sinkhorn(
            Tensor::<3>::from_data(TensorData::new(f32s(&cost), [1, n, m]), &device),
            Tensor::<1>::from_data(TensorData::new(f32s(&r), [n]), &device),
            Tensor::<1>::from_data(TensorData::new(f32s(&c), [m]), &device),
            0.5,
            50,
        );
        let got: Vec<f32> = plan.try_into_vec_as().expect("plan");
        let want = reference(&cost, &r, &c, n, m, 0.5, 50);
        for (g, w) in got.iter().zip(&want) {
            assert!((*g as f64 - w).abs() < 1e-5, "plan {g} vs {w}");
        }
        let rs: f64 = r.iter().sum();
        for i in 0..n {
            let row: f64 = (0..m).map(|j| got[i * m + j] as f64).sum();
            assert!((row - r[i] / rs).abs() < 1e-4, "row {i} carries {row}");
        }
    }
}
