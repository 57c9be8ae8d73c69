//! Mixed precision: during a training step, matrix products, convolutions and attention run in
//! bfloat16 or float16 (`train { precision = "bf16-mixed" }`), their inputs cast down and their
//! results cast back to float32; every other op (normalisations, softmax, losses, reductions),
//! the master weights, the optimiser and the EMA stay float32, as PyTorch's autocast lists have
//! them on CUDA. The casts are differentiable, so the gradients reach the float32 weights in
//! float32. Outside a step (probes, evaluation, export) everything is float32. The setting is
//! the process's (a step's side threads share it); `runtime/tests/precision.rs` checks it in a
//! process of its own.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use burn::nn::Linear;
use burn::tensor::{DType, Device, Tensor};
use sslc_compiler::plan::Precision;

use crate::error::RunError;

/// 0: float32 throughout; 1: bfloat16 products; 2: float16 products.
static MODE: AtomicU8 = AtomicU8::new(0);
/// Whether a training step is running: the products take the low precision only then.
static STEPPING: AtomicBool = AtomicBool::new(false);

/// Sets the run's precision.
pub fn set(p: Precision) {
    MODE.store(
        match p {
            Precision::Fp32 => 0,
            Precision::Bf16Mixed => 1,
            Precision::Fp16Mixed => 2,
        },
        Ordering::SeqCst,
    );
}

/// The low precision of the products now, if any.
fn low() -> Option<DType> {
    if !STEPPING.load(Ordering::SeqCst) {
        return None;
    }
    match MODE.load(Ordering::SeqCst) {
        1 => Some(DType::BF16),
        2 => Some(DType::F16),
        _ => None,
    }
}

/// Runs `f` as a training step's computation: its products take the run's precision.
pub fn during_step<T>(f: impl FnOnce() -> T) -> T {
    STEPPING.store(true, Ordering::SeqCst);
    let out = f();
    STEPPING.store(false, Ordering::SeqCst);
    out
}

/// `t` in the low precision, when a step runs in one.
pub fn down<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    match low() {
        Some(d) if t.dtype() != d => t.cast(d),
        _ => t,
    }
}

/// `t` back in float32, when it was computed in a low precision.
pub fn up<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    if t.dtype() == DType::F32 { t } else { t.cast(DType::F32) }
}

/// `x W + b` for `layer` (`x`: `[rows, in]`), the product in the step's precision, the bias
/// added in float32.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    if low().is_none() {
        return layer.forward(x);
    }
    let y = up(down(x).matmul(down(layer.weight.val())));
    match &layer.bias {
        Some(b) => y + b.val().unsqueeze_dim(0),
        None => y,
    }
}

/// `conv` on `x`, the convolution in the step's precision (ResNet's convolutions, which are
/// padded explicitly; another padding runs in float32).
pub fn conv2d(conv: &burn::nn::conv::Conv2d, x: Tensor<4>) -> Tensor<4> {
    let burn::nn::PaddingConfig2d::Explicit(top, left, bottom, right) = conv.padding else {
        return conv.forward(x);
    };
    if low().is_none() {
        return conv.forward(x);
    }
    let options = burn::tensor::ops::ConvOptions::new_with_padding(
        conv.stride,
        [(top, bottom), (left, right)],
        conv.dilation,
        conv.groups,
    );
    let bias = conv.bias.as_ref().map(|b| down(b.val()));
    up(burn::tensor::module::conv2d(
        down(x),
        down(conv.weight.val()),
        bias,
        options,
    ))
}

/// Whether `device` can run the products of precision `p` (a matrix product and its gradient,
/// asked before a run starts): flex has no bfloat16 or float16 kernels; libtorch has both on
/// CUDA and bfloat16 on its CPU device.
pub fn supported(p: Precision, device: &Device, name: &str) -> Result<(), RunError> {
    let dtype = match p {
        Precision::Fp32 => return Ok(()),
        Precision::Bf16Mixed => DType::BF16,
        Precision::Fp16Mixed => DType::F16,
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let device = device.clone().autodiff();
    let probe = std::panic::catch_unwind(move || {
        let a = Tensor::<2>::ones([4, 4], &device).require_grad();
        let y = a
            .clone()
            .cast(dtype)
            .matmul(Tensor::<2>::ones([4, 4], &device).cast(dtype));
        let grads = y.cast(DType::F32).sum().backward();
        a.grad(&grads).map(|g| g.into_data())
    });
    std::panic::set_hook(hook);
    match probe {
        Ok(Some(_)) => Ok(()),
        _ => Err(RunError::Unsupported(format!(
            "device {name} cannot run `precision = \"{}\"` (no {dtype:?} matrix products); \
             libtorch runs bf16-mixed on its CPU device and both mixed precisions on CUDA \
             (`--device tch`, `--device tch:cuda`), or train in \"fp32\"",
            match p {
                Precision::Bf16Mixed => "bf16-mixed",
                _ => "fp16-mixed",
            }
        ))),
    }
}
