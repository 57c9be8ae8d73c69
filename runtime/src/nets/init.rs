//! How sslc initialises layers: Xavier-uniform linear weights and zero biases (as MAE and
//! DINO do), so every network starts from the same well-scaled point on every backend.

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::Device;

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
