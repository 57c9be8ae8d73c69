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
        keep: Some(Tensor::<2, Int>::from_data(TensorData::new(keep, [1, k]), device)),
        restore: Tensor::<2, Int>::from_data(TensorData::new(restore, [1, n]), device),
        masked: Tensor::from_data(
            TensorData::new(masked.iter().map(|b| *b as i32 as f32).collect::<Vec<_>>(), [1, n]),
            device,
        ),
    }
}

/// A ViT of width 8 on 8×8 images in 4 px patches (a 2×2 grid); tests change what they need.
const SMALL: VitSpec = VitSpec {
    drop_path: 0.0,
    mask_token: false,
    registers: 0,
    rope: false,
    patch: 4,
    dim: 8,
    depth: 0,
    heads: 2,
    mlp_ratio: 2.0,
    cls: false,
    channels: 3,
    grid: (2, 2),
};

#[test]
fn a_blockless_vit_encodes_exactly_the_kept_patches() {
    // With no blocks, each token is processed alone, so masking must equal selecting.
    let device = sslc_runtime::device::default();
    let spec = SMALL;
    let vit = Vit::new(&spec, &device);
    let x = Tensor::<4>::random([1, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let full: Vec<f32> = vit
        .forward(x.clone(), None)
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("full");
    let m = mask(&[true, false, true, false], &device);
    let part: Vec<f32> = vit
        .forward(x, Some(&m))
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("masked");
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
    let out: Vec<f32> = fill
        .forward(visible, &m)
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("filled");
    assert_eq!(&out[3..6], &[1.0, 2.0, 3.0]);
    assert_eq!(&out[9..12], &[4.0, 5.0, 6.0]);
    assert_eq!(out[0..3], out[6..9], "both masked places hold the mask token");
    assert!(out[0..3].iter().all(|v| v.abs() < 0.2), "the mask token starts small");

    // A mask that hides nothing gives the tokens back as they are.
    let all = Tensor::<3>::from_data(
        TensorData::new((0..12).map(|v| v as f32).collect::<Vec<_>>(), [1, 4, 3]),
        &device,
    );
    let none = mask(&[false, false, false, false], &device);
    let out: Vec<f32> = fill
        .forward(all, &none)
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("filled");
    assert_eq!(out, (0..12).map(|v| v as f32).collect::<Vec<_>>());
}

#[test]
fn stochastic_depth_drops_branches_per_sample_only_while_training() {
    let device = sslc_runtime::device::default().autodiff();
    let spec = VitSpec {
        drop_path: 0.9,
        depth: 3,
        cls: true,
        ..SMALL
    };
    let vit = Vit::new(&spec, &device);
    // One image repeated: any difference between rows comes from per-sample drops.
    let x = Tensor::<4>::random([1, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device).repeat_dim(0, 16);
    let rows = |t: Tensor<3>| -> Vec<Vec<f32>> {
        let v: Vec<f32> = t.try_into_vec_as().expect("values");
        v.chunks(5 * 8).map(<[f32]>::to_vec).collect()
    };
    let trained = rows(vit.forward(x.clone(), None).expect("a forward pass"));
    assert!(trained.iter().any(|r| r != &trained[0]), "no branch was dropped");
    let plain = vit.valid();
    let eval = rows(plain.forward(x.inner(), None).expect("a forward pass"));
    assert!(
        eval.iter().all(|r| r == &eval[0]),
        "a branch was dropped outside training"
    );
}

#[test]
fn a_mask_token_replaces_masked_patches_in_place_and_they_learn_from_the_rest() {
    let device = sslc_runtime::device::default();
    let spec = |depth| VitSpec {
        mask_token: true,
        depth,
        cls: true,
        ..SMALL
    };
    let m = mask(&[true, false, true, false], &device);
    let x = Tensor::<4>::random([1, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    // Another picture in the masked patches (the left column, patches 0 and 2) only.
    let left = Tensor::<4>::random([1, 3, 8, 4], Distribution::Normal(5.0, 1.0), &device);
    let y = Tensor::cat(vec![left, x.clone().narrow(3, 4, 4)], 3);
    // Another picture in the visible patches (the right column) only.
    let right = Tensor::<4>::random([1, 3, 8, 4], Distribution::Normal(5.0, 1.0), &device);
    let z = Tensor::cat(vec![x.clone().narrow(3, 0, 4), right], 3);

    let vit = Vit::new(&spec(2), &device);
    let out = |img: Tensor<4>| -> Vec<f32> {
        vit.forward(img, Some(&m))
            .expect("a forward pass")
            .try_into_vec_as()
            .expect("tokens")
    };
    let (a, b, c) = (out(x.clone()), out(y), out(z));
    assert_eq!(a.len(), 5 * 8, "the class token and every patch, masked ones included");
    assert_eq!(a, b, "what lies under the mask is never seen");
    let masked_token = |v: &[f32], t: usize| v[(1 + t) * 8..(2 + t) * 8].to_vec();
    assert_ne!(
        masked_token(&a, 0),
        masked_token(&c, 0),
        "a masked place reads the visible ones"
    );
    assert_ne!(
        masked_token(&a, 0),
        masked_token(&a, 2),
        "masked places differ by position"
    );

    // Without blocks each token stands alone: a masked place holds the mask token plus its
    // position, whatever the image.
    let alone = Vit::new(&spec(0), &device);
    let unmasked: Vec<f32> = alone
        .forward(x.clone(), None)
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("tokens");
    let masked: Vec<f32> = alone
        .forward(x, Some(&m))
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("tokens");
    assert_eq!(
        masked_token(&masked, 1),
        masked_token(&unmasked, 1),
        "a visible patch is as without a mask"
    );
    assert_ne!(masked_token(&masked, 0), masked_token(&unmasked, 0));
}

#[test]
fn inner_blocks_outputs_and_their_normalised_mean_are_what_a_call_takes() {
    use sslc_compiler::plan::NetOutput;
    let device = sslc_runtime::device::default();
    let spec = VitSpec {
        depth: 3,
        cls: true,
        ..SMALL
    };
    let vit = Vit::new(&spec, &device);
    let x = Tensor::<4>::random([2, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let take = |o: NetOutput| -> Vec<f32> {
        vit.forward_to(x.clone(), None, o)
            .expect("a forward pass")
            .try_into_vec_as()
            .expect("tokens")
    };
    let blocks: Vec<Vec<f32>> = (1..=3).map(|n| take(NetOutput::Block(n))).collect();
    assert_ne!(blocks[0], blocks[1]);
    // Each token of a block's output, normalised to zero mean and unit variance over its width.
    let normed = |v: &[f32]| -> Vec<f32> {
        v.chunks(8)
            .flat_map(|t| {
                let mean = t.iter().sum::<f32>() / 8.0;
                let var = t.iter().map(|a| (a - mean).powi(2)).sum::<f32>() / 8.0;
                t.iter()
                    .map(move |a| (a - mean) / (var + 1e-6).sqrt())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let close = |a: &[f32], b: &[f32], what: &str| {
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (p, q)) in a.iter().zip(b).enumerate() {
            assert!((p - q).abs() < 1e-4, "{what} [{i}]: {p} vs {q}");
        }
    };
    close(
        &take(NetOutput::AverageLast(1)),
        &normed(&blocks[2]),
        "the last block, normalised",
    );
    let two: Vec<f32> = normed(&blocks[1])
        .iter()
        .zip(normed(&blocks[2]))
        .map(|(a, b)| (a + b) / 2.0)
        .collect();
    close(&take(NetOutput::AverageLast(2)), &two, "the mean of the last two");
    // The final output is the last block's through the final LayerNorm (at its initial affine
    // parameters, 1 and 0: the same as normalising).
    close(&take(NetOutput::Final), &normed(&blocks[2]), "the final output");
}

#[test]
fn mask_fill_with_positions_adds_each_grid_places_sin_cos_embedding() {
    let device = sslc_runtime::device::default();
    let m = mask(&[true, false, true, false], &device);
    // A class token and the two visible tokens, width 8.
    let x = || Tensor::<3>::random([1, 3, 8], Distribution::Normal(0.0, 1.0), &device);
    let input = x();
    let fill = sslc_runtime::nets::MaskFill::new(8, &device);
    let plain: Vec<f32> = fill
        .forward(input.clone(), &m)
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("filled");
    let placed: Vec<f32> = fill
        .with_positions(true)
        .forward(input, &m)
        .expect("a forward pass")
        .try_into_vec_as()
        .expect("filled");
    assert_eq!(placed[..8], plain[..8], "the class token passes as it is");
    let pos = sslc_runtime::nets::posemb::sincos_2d(2, 2, 8, (1.0, 1.0));
    for (i, p) in pos.iter().enumerate() {
        let (a, b) = (placed[8 + i], plain[8 + i]);
        assert!((a - b - p).abs() < 1e-6, "grid entry {i}: {a} − {b} is not {p}");
    }
    assert_ne!(placed[8..16], placed[24..32], "the two masked places now differ");
}
