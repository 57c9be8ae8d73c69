//! How sslc initialises layers: Xavier-uniform linear weights and zero biases (as MAE and
//! DINO do), so every network starts from the same well-scaled point on every backend; and
//! builds that only count (`counting`), which draw and allocate nothing.

use std::cell::Cell;

use burn::module::Param;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

thread_local! {
    /// Whether the builds on this thread only count (see [`counting`]).
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `build` with nothing drawn nor allocated: every parameter is left to burn's lazy
/// initialisation and running statistics are empty, so `num_params` counts a network of any
/// size (a language server's hover) without making it. Such a network is for counting only.
pub fn counting<T>(build: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            COUNTING.set(false);
        }
    }
    COUNTING.set(true);
    let _reset = Reset;
    build()
}

/// A parameter of `shape` made by `make` now, or while [`counting`] never made.
pub fn param<const D: usize>(shape: [usize; D], device: &Device, make: impl FnOnce() -> Tensor<D>) -> Param<Tensor<D>> {
    if COUNTING.get() {
        Initializer::Zeros.init(shape, device)
    } else {
        Param::from_tensor(make())
    }
}

/// The width of running statistics `width` wide: none while [`counting`] (they are not
/// trained, so not counted).
pub fn running_width(width: usize) -> usize {
    if COUNTING.get() { 0 } else { width }
}

/// A linear layer `d_in → d_out` with a bias.
pub fn linear(d_in: usize, d_out: usize, device: &Device) -> Linear {
    linear_with(d_in, d_out, true, device)
}

/// A linear layer `d_in → d_out`, with or without a bias.
pub fn linear_with(d_in: usize, d_out: usize, bias: bool, device: &Device) -> Linear {
    let mut layer = LinearConfig::new(d_in, d_out)
        .with_bias(bias)
        .with_initializer(Initializer::XavierUniform { gain: 1.0 })
        .init(device);
    if COUNTING.get() {
        return layer;
    }
    if let Some(b) = layer.bias.take() {
        layer.bias = Some(crate::tensor::remake(b, |t| t.zeros_like()));
    }
    layer
}

/// Widths of an `layers`-deep stack from `input` through `hidden` to `out`.
pub fn widths(input: usize, hidden: usize, out: usize, layers: usize) -> Vec<usize> {
    let n = layers.max(1);
    (0..=n)
        .map(|i| match i {
            0 => input,
            i if i == n => out,
            _ => hidden,
        })
        .collect()
}
