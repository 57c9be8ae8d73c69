//! A minimal reproducer, with burn alone, of what `cargo bench --bench step` shows on flex: a
//! forward pass on the autodiff device whose graph no backward consumes costs more than the
//! same forward pass followed by its backward. A chain of `depth` matmul + GELU layers on
//! `rows`×`width` activations (a tiny ViT's MLPs at batch 128: 8,320 tokens of width 64):
//!
//! `cargo run --release -p sslc-runtime --example autodiff_unconsumed [-- OP ROWS WIDTH DEPTH REPS]`
//! with OP one of `gelu` (the default), `softmax`, `layer_norm`.

#[path = "../benches/common/mod.rs"]
mod common;

use burn::tensor::activation::{gelu, softmax};
use burn::tensor::{Device, Distribution, Tensor};
use common::time;

/// `depth` layers of a matmul and then `op`: "gelu", "softmax" (over the width) or "layer_norm"
/// (without affine parameters).
fn chain(x: Tensor<2>, weights: &[Tensor<2>], op: &str) -> Tensor<2> {
    weights.iter().fold(x, |h, w| {
        let h = h.matmul(w.clone());
        match op {
            "softmax" => softmax(h, 1),
            "layer_norm" => {
                let centred = h.clone() - h.mean_dim(1);
                let var = centred.clone().powf_scalar(2.0).mean_dim(1);
                centred / var.add_scalar(1e-6).sqrt()
            }
            _ => gelu(h),
        }
    })
}

fn main() {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let op = words.first().cloned().unwrap_or_else(|| "gelu".into());
    let args: Vec<usize> = words.iter().skip(1).map(|a| a.parse().expect("a count")).collect();
    let arg = |i: usize, default: usize| args.get(i).copied().unwrap_or(default);
    let (rows, width, depth, reps) = (arg(0, 8320), arg(1, 64), arg(2, 8), arg(3, 10));
    let plain = sslc_runtime::device::default().inner();
    let ad = plain.clone().autodiff();
    let weights = |d: &Device, grad: bool| -> Vec<Tensor<2>> {
        (0..depth)
            .map(|_| {
                let w = Tensor::<2>::random([width, width], Distribution::Normal(0.0, 0.1), d);
                if grad { w.require_grad() } else { w }
            })
            .collect()
    };
    let (wp, wa) = (weights(&plain, false), weights(&ad, true));
    let x = |d: &Device| Tensor::<2>::random([rows, width], Distribution::Normal(0.0, 1.0), d);
    println!("| {rows}×{width}, {depth} × (matmul, {op}) | ms |");
    println!("|---|---|");
    let f = time(reps, || {
        chain(x(&plain), &wp, &op).sum().into_data();
    });
    println!("| forward, plain device | {f:.1} |");
    let fa = time(reps, || {
        chain(x(&ad), &wa, &op).sum().into_data();
    });
    println!("| forward, autodiff device, graph dropped | {fa:.1} |");
    let fb = time(reps, || {
        let grads = chain(x(&ad), &wa, &op).sum().backward();
        std::hint::black_box(grads);
    });
    println!("| forward + backward, autodiff device | {fb:.1} |");
}
