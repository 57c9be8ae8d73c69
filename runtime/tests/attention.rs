//! Attention's own backward (`nets::sdpa`) against burn's autodiff through the composed formula
//! softmax(q kᵀ / √d) v, on every CPU device this build has: the same output and the same
//! gradients of q, k and v, including when the inputs are views of one fused projection.

use burn::tensor::activation::softmax;
use burn::tensor::{Tensor, TensorData};
use sslc_runtime::device;
use sslc_runtime::nets::sdpa::attention;

const SHAPE: [usize; 4] = [2, 3, 7, 4];

fn values(seed: usize, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (((i * 7919 + seed * 104_729) % 1000) as f32 / 500.0 - 1.0) * 1.5)
        .collect()
}

fn composed(q: Tensor<4>, k: Tensor<4>, v: Tensor<4>) -> Tensor<4> {
    let scale = 1.0 / (SHAPE[3] as f32).sqrt();
    softmax(q.matmul(k.swap_dims(2, 3)).mul_scalar(scale), 3).matmul(v)
}

fn vec(t: Tensor<4>) -> Vec<f32> {
    t.try_into_vec_as().expect("values")
}

fn assert_close(what: &str, device: &str, a: &[f32], b: &[f32]) {
    let worst = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-5, "{device}: {what} differs by up to {worst}");
    assert!(a.iter().any(|x| x.abs() > 1e-3), "{device}: {what} is all zero");
}

/// Output and gradients of `f` at q, k, v cut from one `[2, 3·heads…]` tensor, as a block cuts
/// them from its qkv projection, and a loss weighting every output element differently.
fn run(device: &device::Device, f: fn(Tensor<4>, Tensor<4>, Tensor<4>) -> Tensor<4>) -> [Vec<f32>; 4] {
    let [b, h, n, d] = SHAPE;
    let qkv =
        Tensor::<4>::from_data(TensorData::new(values(1, 3 * b * h * n * d), [3 * b, h, n, d]), device).require_grad();
    let part = |i: usize| qkv.clone().narrow(0, i * b, b);
    let out = f(part(0), part(1), part(2));
    let weights = Tensor::<4>::from_data(TensorData::new(values(2, b * h * n * d), SHAPE), device);
    let grads = (out.clone() * weights).sum().backward();
    let g = qkv.grad(&grads).expect("a gradient");
    let cut = |i: usize| vec(g.clone().narrow(0, i * b, b));
    [vec(out.inner()), cut(0), cut(1), cut(2)]
}

#[test]
fn gradients_match_the_composed_formula() {
    let names: Vec<&str> = ["flex", "tch"]
        .into_iter()
        .filter(|n| device::parse(n).is_ok())
        .collect();
    assert!(!names.is_empty(), "no CPU device in this build");
    for name in names {
        let dev = device::parse(name).expect("device").autodiff();
        let own = run(&dev, attention);
        let reference = run(&dev, composed);
        for (what, (a, b)) in ["output", "dq", "dk", "dv"].iter().zip(own.iter().zip(&reference)) {
            assert_close(what, name, a, b);
        }
    }
}

#[test]
fn untracked_inputs_give_the_same_output() {
    let dev = device::default();
    let [b, h, n, d] = SHAPE;
    let t = |seed| Tensor::<4>::from_data(TensorData::new(values(seed, b * h * n * d), SHAPE), &dev);
    let own = vec(attention(t(3), t(4), t(5)));
    let reference = vec(composed(t(3), t(4), t(5)));
    assert_close("output", "default", &own, &reference);
}
