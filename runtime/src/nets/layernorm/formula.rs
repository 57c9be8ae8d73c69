//! LayerNorm's backward for any backend. With x̂ = (x − μ)·r, r = 1/√(var + ε), and g = dy·γ per
//! row: dx = r·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ dy·x̂ and dβ = Σ dy over the rows.

use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, TensorMetadata};
use burn::tensor::Shape;

/// The backend's fused LayerNorm.
pub fn fused<B: Backend>(x: FloatTensor<B>, gamma: FloatTensor<B>, beta: FloatTensor<B>, eps: f64) -> FloatTensor<B> {
    B::layer_norm(x, gamma, Some(beta), eps)
}

/// Each row's mean and 1/√(var + ε), shaped `[.., 1]`.
pub fn stats<B: Backend>(x: FloatTensor<B>, eps: f64) -> (FloatTensor<B>, FloatTensor<B>) {
    let last = x.shape().num_dims() - 1;
    let mean = B::float_mean_dim(x.clone(), last);
    let centred = B::float_sub(x, mean.clone());
    let var = B::float_mean_dim(B::float_mul(centred.clone(), centred), last);
    let rstd = B::float_recip(B::float_sqrt(B::float_add_scalar(var, eps.into())));
    (mean, rstd)
}

/// The gradients of x, γ and β from the gradient of the output, x, γ and the rows' statistics.
pub fn backward<B: Backend>(
    x: FloatTensor<B>,
    gamma: FloatTensor<B>,
    (mean, rstd): (FloatTensor<B>, FloatTensor<B>),
    dy: FloatTensor<B>,
) -> [FloatTensor<B>; 3] {
    let shape = x.shape();
    let last = shape.num_dims() - 1;
    let d = shape[last];
    let rows = shape.num_elements() / d;
    let mut row = vec![1; last + 1];
    row[last] = d;
    let xhat = B::float_mul(B::float_sub(x, mean), rstd.clone());
    let g = B::float_mul(dy.clone(), B::float_reshape(gamma, Shape::from(row)));
    let g_mean = B::float_mean_dim(g.clone(), last);
    let gx_mean = B::float_mean_dim(B::float_mul(g.clone(), xhat.clone()), last);
    let centred = B::float_sub(B::float_sub(g, g_mean), B::float_mul(xhat.clone(), gx_mean));
    let dx = B::float_mul(centred, rstd);
    let column_sum = |t: FloatTensor<B>| {
        let flat = B::float_reshape(t, Shape::from([rows, d]));
        B::float_reshape(B::float_sum_dim(flat, 0), Shape::from([d]))
    };
    let dgamma = column_sum(B::float_mul(dy.clone(), xhat));
    let dbeta = column_sum(dy);
    [dx, dgamma, dbeta]
}
