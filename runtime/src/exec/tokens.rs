//! Token operations: selection by a mask, non-parametric attention, joining and slicing, and
//! repeating a per-image value over the views of a multi-view one.

use burn::tensor::activation::softmax;
use burn::tensor::{Int, Tensor};

use crate::val::Mask;

/// Repeats each row `n` times, consecutively: `[r, ...]` → `[r·n, ...]` (a per-image value
/// against a value with n views per image).
pub fn repeat_rows3(t: Tensor<3>, n: usize) -> Tensor<3> {
    if n == 1 {
        return t;
    }
    let [r, a, b] = t.dims();
    t.unsqueeze_dim::<4>(1).expand([r, n, a, b]).reshape([r * n, a, b])
}

/// [`repeat_rows3`] for matrices.
pub fn repeat_rows2(t: Tensor<2>, n: usize) -> Tensor<2> {
    if n == 1 {
        return t;
    }
    let [r, a] = t.dims();
    t.unsqueeze_dim::<3>(1).expand([r, n, a]).reshape([r * n, a])
}

fn repeat_index(t: Tensor<2, Int>, n: usize) -> Tensor<2, Int> {
    if n == 1 {
        return t;
    }
    let [r, a] = t.dims();
    t.unsqueeze_dim::<3>(1).expand([r, n, a]).reshape([r * n, a])
}

/// Brings two row counts together by repeating the smaller side's rows.
pub fn match_rows3(a: Tensor<3>, b: Tensor<3>) -> (Tensor<3>, Tensor<3>) {
    let (ra, rb) = (a.dims()[0], b.dims()[0]);
    if ra < rb {
        (repeat_rows3(a, rb / ra.max(1)), b)
    } else {
        let n = ra / rb.max(1);
        (a, repeat_rows3(b, n))
    }
}

/// [`match_rows3`] for matrices.
pub fn match_rows2(a: Tensor<2>, b: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    let (ra, rb) = (a.dims()[0], b.dims()[0]);
    if ra < rb {
        (repeat_rows2(a, rb / ra.max(1)), b)
    } else {
        let n = ra / rb.max(1);
        (a, repeat_rows2(b, n))
    }
}

/// The grid tokens a mask keeps, in grid order; a leading class token is skipped, and a mask
/// drawn per image applies to every view of that image.
pub fn select(x: Tensor<3>, mask: &Mask) -> Tensor<3> {
    let [rows, len, d] = x.dims();
    let [images, kept] = mask.keep.dims();
    let tokens = mask.restore.dims()[1];
    let grid = x.narrow(1, len - tokens, tokens);
    let keep = repeat_index(mask.keep.clone(), rows / images.max(1));
    grid.gather(1, keep.unsqueeze_dim::<3>(2).expand([rows, kept, d]))
}

/// `softmax(β·q kᵀ) k` over the tokens of `k` (FLSL mean-shift).
pub fn attend(q: Tensor<3>, k: Tensor<3>, beta: f32) -> Tensor<3> {
    let (q, k) = match_rows3(q, k);
    let weights = softmax(q.matmul(k.clone().swap_dims(1, 2)).mul_scalar(beta), 2);
    weights.matmul(k)
}

/// The tokens of a square patch grid and its side, without a leading class token.
pub fn grid(x: Tensor<3>) -> (Tensor<3>, usize) {
    let len = x.dims()[1];
    let g = (len as f64).sqrt().floor() as usize;
    (x.narrow(1, len - g * g, g * g), g)
}

/// LayerNorm without affine parameters over the last axis (also MAE's per-patch normalised
/// pixel targets).
pub fn layer_norm(x: Tensor<3>) -> Tensor<3> {
    let mean = x.clone().mean_dim(2);
    let centred = x - mean;
    let var = centred.clone().powf_scalar(2.0).mean_dim(2);
    centred / var.add_scalar(1e-6).sqrt()
}
