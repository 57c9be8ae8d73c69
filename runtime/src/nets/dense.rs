//! Per-token work as one matrix: `[b, n, d]` folded to `[b·n, d]`. burn's `linear` keeps
//! `[b, n, d] × [d, e]` batched, b products of n rows, whenever folding would not bring the
//! output closer to square (a ViT's 65 tokens against 192 columns, say); libtorch then runs b
//! small products where PyTorch's `nn.Linear` runs one. Folded it is one product on every backend.

use burn::nn::Linear;
use burn::tensor::Tensor;

/// `f`, a row-wise function, applied to every token of `x`, `[b, n, d]` → `[b, n, e]`.
pub fn per_token(x: Tensor<3>, f: impl FnOnce(Tensor<2>) -> Tensor<2>) -> Tensor<3> {
    let [b, n, d] = x.dims();
    let out = f(x.reshape([b * n, d]));
    let e = out.dims()[1];
    out.reshape([b, n, e])
}

/// `layer` applied to every token of `x` (its product in the step's precision).
pub fn tokens(layer: &Linear, x: Tensor<3>) -> Tensor<3> {
    per_token(x, |rows| crate::precision::linear(layer, rows))
}
