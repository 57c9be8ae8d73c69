//! Small tensor helpers shared by networks, ops, jobs and probes.

use burn::module::Param;
use burn::tensor::Tensor;
use burn::tensor::kind::Basic;

/// `t`, cut off from any autodiff graph, on the device `like` is on: the autodiff one or the
/// plain one (a value kept across steps meeting this step's tensors).
pub fn beside<const D: usize, const E: usize>(t: Tensor<D>, like: &Tensor<E>) -> Tensor<D> {
    if like.is_autodiff() {
        t.detach().autodiff()
    } else {
        t.inner()
    }
}

/// `t` as one vector of its elements. A parameter is flattened and put back at every step (the
/// flat optimiser, the EMA); where it already is a vector (biases, norms) that is the same
/// tensor, so no operator runs: on libtorch a reshape is two (`reshape`, `view`).
pub fn as_vector<const D: usize>(t: Tensor<D>) -> Tensor<1> {
    if D == 1 {
        Tensor::from_bridge(t.into_bridge())
    } else {
        let n = t.shape().num_elements();
        t.reshape([n])
    }
}

/// A vector in shape `dims`, the inverse of [`as_vector`]; a vector stays itself.
pub fn shaped<const D: usize>(t: Tensor<1>, dims: [usize; D]) -> Tensor<D> {
    if D == 1 {
        Tensor::from_bridge(t.into_bridge())
    } else {
        t.reshape(dims)
    }
}

/// Unit-length rows (the last axis), with the usual ε guard.
pub fn l2norm<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let norm = t.clone().powf_scalar(2.0).sum_dim(D - 1).sqrt().clamp_min(1e-12);
    t / norm
}

/// Repeats each row `n` times, consecutively: `[r, ...]` → `[r·n, ...]` (a per-image value
/// against a value with n views per image).
pub fn repeat_rows3(t: Tensor<3>, n: usize) -> Tensor<3> {
    if n == 1 {
        return t;
    }
    let [r, a, b] = t.dims();
    t.unsqueeze_dim::<4>(1).expand([r, n, a, b]).reshape([r * n, a, b])
}

/// [`repeat_rows3`] for matrices, of numbers or of indices.
pub fn repeat_rows2<K: Basic>(t: Tensor<2, K>, n: usize) -> Tensor<2, K> {
    if n == 1 {
        return t;
    }
    let [r, a] = t.dims();
    t.unsqueeze_dim::<3>(1).expand([r, n, a]).reshape([r * n, a])
}

/// One vector per row of tokens `[b, n, d]` → `[b, d]`: the class token where `cls` (it leads),
/// else the mean token; how probes read tokens.
pub fn pool_tokens(t: Tensor<3>, cls: bool) -> Tensor<2> {
    let [b, _, d] = t.dims();
    if cls {
        t.narrow(1, 0, 1).reshape([b, d])
    } else {
        t.mean_dim(1).reshape([b, d])
    }
}

/// The tokens of a square grid `[b, g·g, d]`, a leading class token left out where `cls`;
/// `None` when the rest is not a square grid. How dense probes read tokens.
pub fn square_grid(t: Tensor<3>, cls: bool) -> Option<Tensor<3>> {
    let [b, n, d] = t.dims();
    let skip = usize::from(cls);
    let g = (n.saturating_sub(skip) as f64).sqrt().round() as usize;
    (g > 0 && g * g == n - skip).then(|| t.narrow(1, skip, n - skip).reshape([b, g * g, d]))
}

/// LayerNorm without affine parameters over the last axis (also MAE's per-patch normalised
/// pixel targets).
pub fn layer_norm(x: Tensor<3>) -> Tensor<3> {
    let mean = x.clone().mean_dim(2);
    let centred = x - mean;
    let var = centred.clone().powf_scalar(2.0).mean_dim(2);
    centred / var.add_scalar(1e-6).sqrt()
}

/// Cosine similarity of matching rows: `[r, d]`, `[r, d]` → `[r]`.
pub fn row_cosine(a: Tensor<2>, b: Tensor<2>) -> Tensor<1> {
    l2norm(a).mul(l2norm(b)).sum_dim(1).flatten(0, 1)
}

/// Cuts `[batch, channels, h, w]` into flattened patches `[batch, tokens, channels·p·p]`.
pub fn patchify(x: Tensor<4>, p: usize) -> Tensor<3> {
    let [b, c, h, w] = x.dims();
    let (gh, gw) = (h / p, w / p);
    x.narrow(2, 0, gh * p)
        .narrow(3, 0, gw * p)
        .reshape([b, c, gh, p, gw, p])
        .permute([0, 2, 4, 1, 3, 5])
        .reshape([b, gh * gw, c * p * p])
}

/// `param` with its tensor replaced by `remade(tensor)`, keeping the parameter's place in the
/// autodiff graph: a tensor made afresh (zeros, a scaled copy, loaded values) is not tracked by
/// itself, and a trainable parameter replaced by an untracked one silently stops learning.
pub fn remake<const D: usize>(
    param: Param<Tensor<D>>,
    remade: impl FnOnce(Tensor<D>) -> Tensor<D>,
) -> Param<Tensor<D>> {
    param.map(|t| {
        let tracked = t.is_require_grad();
        let fresh = remade(t);
        if tracked { fresh.require_grad() } else { fresh }
    })
}
