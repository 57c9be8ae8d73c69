//! A ViT with rotary positions knows where its patches are: swapping two patches of an image
//! changes more than the order of its output tokens, and the path of dropped patches turns each
//! kept patch by its own position (the angles' gather is checked in `nets/rope.rs`).

use burn::tensor::{Distribution, Int, Tensor, TensorData};
use sslc_runtime::nets::{Vit, VitSpec};
use sslc_runtime::val::Mask;

fn spec() -> VitSpec {
    VitSpec {
        patch: 4,
        dim: 16,
        depth: 2,
        heads: 2,
        mlp_ratio: 2.0,
        cls: false,
        channels: 3,
        drop_path: 0.0,
        mask_token: false,
        registers: 0,
        rope: true,
        grid: (2, 2),
    }
}

fn values(t: Tensor<3>) -> Vec<f32> {
    t.try_into_vec_as::<f32>().expect("values")
}

#[test]
fn swapped_patches_are_seen_where_they_are() {
    let device = sslc_runtime::device::default();
    let vit = Vit::new(&spec(), &device);
    let x = Tensor::<4>::random([1, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    // Patches 0 (top left) and 3 (bottom right) exchanged.
    let tl = x.clone().slice([0..1, 0..3, 0..4, 0..4]);
    let br = x.clone().slice([0..1, 0..3, 4..8, 4..8]);
    let swapped = x
        .clone()
        .slice_assign([0..1, 0..3, 0..4, 0..4], br)
        .slice_assign([0..1, 0..3, 4..8, 4..8], tl);
    let a = vit.forward(x, None).expect("a forward pass");
    let b = vit.forward(swapped, None).expect("a forward pass");
    // Without positions the tokens would only trade places; with them, patch 0's token differs.
    let a0 = values(a.narrow(1, 0, 1));
    let b3 = values(b.narrow(1, 3, 1));
    let gap: f32 = a0.iter().zip(&b3).map(|(p, q)| (p - q).abs()).sum();
    assert!(gap > 1e-3, "the same token at another place: {gap}");
}

/// A mask that drops nothing takes the path of dropped patches (gathered positions) and must
/// give what the full grid gives.
#[test]
fn a_mask_keeping_every_patch_changes_nothing() {
    let device = sslc_runtime::device::default();
    let vit = Vit::new(&spec(), &device);
    let x = Tensor::<4>::random([2, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let index = |v: Vec<i64>| Tensor::<2, Int>::from_data(TensorData::new(v, [2, 4]), &device);
    let mask = Mask {
        keep: Some(index(vec![0, 1, 2, 3, 0, 1, 2, 3])),
        restore: index(vec![0, 1, 2, 3, 0, 1, 2, 3]),
        masked: Tensor::zeros([2, 4], &device),
    };
    let full = values(vit.forward(x.clone(), None).expect("a forward pass"));
    let kept = values(vit.forward(x, Some(&mask)).expect("a forward pass"));
    for (a, b) in full.iter().zip(&kept) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}
