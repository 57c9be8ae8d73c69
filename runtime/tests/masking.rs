//! Masked encoding and mask filling put tokens where the mask says.

use burn::module::Module;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use sslc_runtime::nets::{Vit, VitSpec};
use sslc_runtime::val::Mask;

fn mask(masked: &[bool], device: &Device) -> Mask {
    let n = masked.len();
    let keep: Vec<i64> = (0..n).filter(|i| !masked[*i]).map(|i| i as i64).collect();
    let order: Vec<usize> = (0..n)
        .filter(|i| !masked[*i])
        .chain((0..n).filter(|i| masked[*i]))
        .collect();
    let mut restore = vec![0i64; n];
    for (pos, t) in order.iter().enumerate() {
        restore[*t] = pos as i64;
    }
    let k = keep.len();
    Mask {
        keep: Tensor::<2, Int>::from_data(TensorData::new(keep, [1, k]), device),
        restore: Tensor::<2, Int>::from_data(TensorData::new(restore, [1, n]), device),
        masked: Tensor::from_data(
            TensorData::new(masked.iter().map(|b| *b as i32 as f32).collect::<Vec<_>>(), [1, n]),
            device,
        ),
    }
}

#[test]
fn a_blockless_vit_encodes_exactly_the_kept_patches() {
    // With no blocks, each token is processed alone, so masking must equal selecting.
    let device = sslc_runtime::device::default();
    let spec = VitSpec {
        drop_path: 0.0,
        patch: 4,
        dim: 8,
        depth: 0,
        heads: 2,
        mlp_ratio: 2.0,
        cls: false,
        channels: 3,
        grid: (2, 2),
    };
    let vit = Vit::new(&spec, &device);
    let x = Tensor::<4>::random([1, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let full: Vec<f32> = vit.forward(x.clone(), None).try_into_vec_as().expect("full");
    let m = mask(&[true, false, true, false], &device);
    let part: Vec<f32> = vit.forward(x, Some(&m)).try_into_vec_as().expect("masked");
    assert_eq!(part.len(), 2 * 8);
    for (k, token) in [1usize, 3].iter().enumerate() {
        for d in 0..8 {
            let (a, b) = (part[k * 8 + d], full[token * 8 + d]);
            assert!((a - b).abs() < 1e-5, "kept token {token}, width {d}: {a} vs {b}");
        }
    }
}

#[test]
fn mask_fill_puts_visible_tokens_back_and_fills_the_rest() {
    let device = sslc_runtime::device::default();
    let fill = sslc_runtime::nets::MaskFill::new(3, &device);
    let visible = Tensor::<3>::from_data(
        TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [1, 2, 3]),
        &device,
    );
    let m = mask(&[true, false, true, false], &device);
    let out: Vec<f32> = fill.forward(visible, &m).try_into_vec_as().expect("filled");
    assert_eq!(&out[3..6], &[1.0, 2.0, 3.0]);
    assert_eq!(&out[9..12], &[4.0, 5.0, 6.0]);
    assert_eq!(out[0..3], out[6..9], "both masked places hold the mask token");
    assert!(out[0..3].iter().all(|v| v.abs() < 0.2), "the mask token starts small");
}

#[test]
fn stochastic_depth_drops_branches_per_sample_only_while_training() {
    let device = sslc_runtime::device::default().autodiff();
    let spec = VitSpec {
        drop_path: 0.9,
        patch: 4,
        dim: 8,
        depth: 3,
        heads: 2,
        mlp_ratio: 2.0,
        cls: true,
        channels: 3,
        grid: (2, 2),
    };
    let vit = Vit::new(&spec, &device);
    // One image repeated: any difference between rows comes from per-sample drops.
    let x = Tensor::<4>::random([1, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device).repeat_dim(0, 16);
    let rows = |t: Tensor<3>| -> Vec<Vec<f32>> {
        let v: Vec<f32> = t.try_into_vec_as().expect("values");
        v.chunks(5 * 8).map(<[f32]>::to_vec).collect()
    };
    let trained = rows(vit.forward(x.clone(), None));
    assert!(trained.iter().any(|r| r != &trained[0]), "no branch was dropped");
    let plain = vit.valid();
    let eval = rows(plain.forward(x.inner(), None));
    assert!(
        eval.iter().all(|r| r == &eval[0]),
        "a branch was dropped outside training"
    );
}
