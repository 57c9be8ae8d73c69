//! Mixed precision: a training step's products in bf16, back in fp32, gradients reaching fp32
//! weights; fp32 outside a step. Its own test binary: the precision is the process's.

use burn::nn::LinearConfig;
use burn::tensor::{DType, Distribution, Tensor};
use sslc_compiler::plan::Precision;
use sslc_runtime::precision::{during_step, linear, set};

#[test]
fn in_a_step_a_linear_layer_multiplies_in_bf16_and_its_gradient_reaches_fp32_weights() {
    let device = sslc_runtime::device::default().autodiff();
    let layer = LinearConfig::new(16, 8).init(&device);
    let x = Tensor::<2>::random([4, 16], Distribution::Normal(0.0, 1.0), &device).require_grad();
    set(Precision::Bf16Mixed);
    let low = during_step(|| linear(&layer, x.clone()));
    let outside = linear(&layer, x.clone());
    set(Precision::Fp32);
    let exact = layer.forward(x.clone());
    assert_eq!(low.dtype(), DType::F32, "the result comes back in fp32");
    let a: Vec<f32> = low.clone().try_into_vec_as().expect("values");
    let b: Vec<f32> = exact.try_into_vec_as().expect("values");
    let worst = a.iter().zip(&b).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
    let scale = b.iter().map(|v| v.abs()).fold(0.0f32, f32::max);
    assert!(worst > 0.0, "the product was not rounded to bf16");
    assert!(worst <= 2e-2 * scale, "bf16's rounding, not more: {worst} of {scale}");
    let same: Vec<f32> = outside.try_into_vec_as().expect("values");
    assert_eq!(same, b, "outside a step, fp32 throughout");
    let grads = low.sum().backward();
    let g = layer.weight.val().grad(&grads).expect("a gradient for the weights");
    assert_eq!(g.dtype(), DType::F32);
    assert!(x.grad(&grads).is_some());
}
