//! A reproducer, with burn alone, of where flex's element-wise time goes in a ViT's MLP: GELU
//! (exact, through `erf`) against ReLU, `exp` and `tanh` on the same activations, and against
//! the matmul that makes them. On `rows`×`width` (default: a tiny ViT's MLP hidden layer at
//! batch 128, 8,320 tokens of width 128):
//!
//! `cargo run --release -p sslc-runtime --example flex_elementwise [-- ROWS WIDTH REPS]`

#[path = "../benches/common/mod.rs"]
mod common;

use burn::tensor::activation::{gelu, relu};
use burn::tensor::{Device, Distribution, Tensor};
use common::time;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (rows, width, reps) = (
        args.first().copied().unwrap_or(8320),
        args.get(1).copied().unwrap_or(128),
        args.get(2).copied().unwrap_or(20),
    );
    let device = Device::flex();
    let x = Tensor::<2>::random([rows, width], Distribution::Normal(0.0, 1.0), &device);
    let input = Tensor::<2>::random([rows, width / 2], Distribution::Normal(0.0, 1.0), &device);
    let w = Tensor::<2>::random([width / 2, width], Distribution::Normal(0.0, 0.1), &device);
    let elements = (rows * width) as f64;
    println!("{rows}×{width} on {device:?}, {reps} repetitions");
    println!("| op | ms | ns per element |");
    println!("|---|---|---|");
    let ops: [(&str, &dyn Fn() -> Tensor<2>); 6] = [
        ("matmul making it (from width / 2)", &|| input.clone().matmul(w.clone())),
        ("relu", &|| relu(x.clone())),
        ("exp", &|| x.clone().exp()),
        ("tanh", &|| x.clone().tanh()),
        ("erf", &|| x.clone().erf()),
        ("gelu (exact)", &|| gelu(x.clone())),
    ];
    for (name, op) in ops {
        // Reading the data back waits for the op to finish.
        let ms = time(reps, || op().into_data());
        println!("| {name} | {ms:.2} | {:.2} |", ms * 1e6 / elements);
    }
}
