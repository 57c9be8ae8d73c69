//! Prints, for the ops sslc gives a backward of its own, forward + backward on the autodiff device
//! against burn's autodiff through the composed formula, at the shapes of `recipes/byol.ssl`'s
//! ViT (batch 128, 65 tokens, width 64, 4 heads), on every CPU device this build has.
//! Run with `cargo bench -p sslc-runtime --bench ops` (add `--features tch` for libtorch).

#[path = "common/mod.rs"]
mod common;

use burn::tensor::activation::softmax;
use burn::tensor::module::layer_norm;
use burn::tensor::{Device, Distribution, Tensor};
use common::time;
use sslc_runtime::device;
use sslc_runtime::nets::layernorm;
use sslc_runtime::nets::sdpa::attention;

fn random<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::random(shape, Distribution::Normal(0.0, 1.0), device).require_grad()
}

/// LayerNorm's forward and backward on the autodiff device, ms per call: sslc's own op or burn's
/// composition.
fn layer_norm_ms(device: &Device, own: bool) -> f64 {
    let norm = layernorm::new(64, device);
    let x = random([128, 65, 64], device);
    let weights = random([128, 65, 64], device);
    time(20, || {
        let out = if own {
            layernorm::forward(&norm, x.clone())
        } else {
            let beta = norm.beta.as_ref().map(|b| b.val());
            layer_norm(x.clone(), norm.gamma.val(), beta, layernorm::EPS)
        };
        std::hint::black_box((out * weights.clone()).sum().backward());
    })
}

fn attention_ms(device: &Device, own: bool) -> f64 {
    let [q, k, v, weights] = [0; 4].map(|_| random([128, 4, 65, 16], device));
    time(20, || {
        let out = if own {
            attention(q.clone(), k.clone(), v.clone())
        } else {
            softmax(q.clone().matmul(k.clone().swap_dims(2, 3)).mul_scalar(0.25), 3).matmul(v.clone())
        };
        std::hint::black_box((out * weights.clone()).sum().backward());
    })
}

fn main() {
    sslc_malloc::keep_freed_memory();
    println!("| op, forward + backward (ms) | device | own backward | composed |");
    println!("|---|---|---|---|");
    for name in ["flex", "tch"] {
        let Ok(base) = device::parse(name) else { continue };
        let ad = base.autodiff();
        let ln = [true, false].map(|own| layer_norm_ms(&ad, own));
        println!("| layer_norm [128, 65, 64] | {name} | {:.2} | {:.2} |", ln[0], ln[1]);
        let at = [true, false].map(|own| attention_ms(&ad, own));
        println!("| attention [128, 4, 65, 16] | {name} | {:.2} | {:.2} |", at[0], at[1]);
    }
}
