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
