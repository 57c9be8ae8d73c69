//! LayerNorm's own backward (`nets::layernorm`) against burn's autodiff through its composed
//! formula, on every CPU device this build has: the same output and the same gradients of x, γ
//! and β, for tokens `[b, n, d]` (also a transposed view) and rows `[b, d]`.

use burn::module::Param;
use burn::nn::LayerNorm;
use burn::tensor::module::layer_norm as composed;
use burn::tensor::{Tensor, TensorData};
use sslc_runtime::device::{self, Device};
use sslc_runtime::nets::layernorm;

const D: usize = 6;

fn values(seed: usize, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (((i * 7919 + seed * 104_729) % 1000) as f32 / 500.0 - 1.0) * 1.5)
        .collect()
}

fn vec<const R: usize>(t: Tensor<R>) -> Vec<f32> {
    t.try_into_vec_as().expect("values")
}

fn assert_close(what: &str, device: &str, a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len(), "{device}: {what} has another length");
    let worst = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-4, "{device}: {what} differs by up to {worst}");
    assert!(a.iter().any(|x| x.abs() > 1e-3), "{device}: {what} is all zero");
}

/// A LayerNorm with γ and β away from their initial 1 and 0.
fn norm(device: &Device) -> LayerNorm {
    let mut n = layernorm::new(D, device);
    n.gamma = Param::from_tensor(Tensor::from_data(TensorData::new(values(3, D), [D]), device));
    n.beta = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(values(4, D), [D]),
        device,
    )));
    n
}

/// Output and gradients of x, γ and β, x shaped by `shape` from a `[rows, D]` tensor, and a loss
/// weighting every output element differently.
fn run<const R: usize>(device: &Device, shape: impl Fn(Tensor<2>) -> Tensor<R>, own: bool) -> [Vec<f32>; 4] {
    let rows = 12;
    let x = Tensor::<2>::from_data(TensorData::new(values(1, rows * D), [rows, D]), device).require_grad();
    let n = norm(device);
    let input = shape(x.clone());
    let out = if own {
        layernorm::forward(&n, input)
    } else {
        let beta = n.beta.as_ref().map(|b| b.val());
        composed(input, n.gamma.val(), beta, layernorm::EPS)
    };
    let weights = Tensor::<1>::from_data(TensorData::new(values(2, rows * D), [rows * D]), device).reshape(out.dims());
    let grads = (out.clone() * weights).sum().backward();
    let grad_of = |p: &Tensor<1>| vec(p.grad(&grads).expect("a gradient"));
    [
        vec(out.inner()),
        vec(x.grad(&grads).expect("a gradient")),
        grad_of(&n.gamma.val()),
        grad_of(&n.beta.as_ref().expect("β").val()),
    ]
}

fn devices() -> Vec<&'static str> {
    let names: Vec<&str> = ["flex", "tch"]
        .into_iter()
        .filter(|n| device::parse(n).is_ok())
        .collect();
    assert!(!names.is_empty(), "no CPU device in this build");
    names
}

fn compare<const R: usize>(shape: impl Fn(Tensor<2>) -> Tensor<R> + Copy) {
    for name in devices() {
        let dev = device::parse(name).expect("device").autodiff();
        let own = run(&dev, shape, true);
        let reference = run(&dev, shape, false);
        for (what, (a, b)) in ["output", "dx", "dγ", "dβ"].iter().zip(own.iter().zip(&reference)) {
            assert_close(what, name, a, b);
        }
    }
}

#[test]
fn token_gradients_match_the_composed_formula() {
    compare(|x| x.reshape([2, 6, D]));
}

#[test]
fn gradients_of_a_transposed_view_match() {
    compare(|x| x.reshape([6, 2, D]).swap_dims(0, 1));
}

#[test]
fn row_gradients_match_the_composed_formula() {
    compare(|x| x);
}

#[test]
fn untracked_inputs_give_the_same_output() {
    let dev = device::default();
    let n = norm(&dev);
    let x = Tensor::<3>::from_data(TensorData::new(values(5, 4 * 3 * D), [4, 3, D]), &dev);
    let beta = n.beta.as_ref().map(|b| b.val());
    let own = vec(layernorm::forward(&n, x.clone()));
    let reference = vec(composed(x, n.gamma.val(), beta, layernorm::EPS));
    assert_close("output", "default", &own, &reference);
}
