//! Token ops against float64 formulas: attention, selection, and per-image values repeated over
//! the views of multi-view values.

use burn::tensor::{Device, Int, Tensor, TensorData};
use sslc_runtime::exec::tokens;
use sslc_runtime::rng::Rng;
use sslc_runtime::val::Mask;

fn random(shape: [usize; 3], rng: &mut Rng) -> Vec<f64> {
    (0..shape.iter().product()).map(|_| rng.normal() as f64).collect()
}

fn tensor(v: &[f64], shape: [usize; 3], device: &Device) -> Tensor<3> {
    Tensor::from_data(
        TensorData::new(v.iter().map(|x| *x as f32).collect::<Vec<_>>(), shape),
        device,
    )
}

/// softmax(β q kᵀ) k in float64, one image: q is [tq, d], k is [tk, d].
fn ref_attend(q: &[f64], k: &[f64], tq: usize, tk: usize, d: usize, beta: f64) -> Vec<f64> {
    let mut out = vec![0.0; tq * d];
    for i in 0..tq {
        let s: Vec<f64> = (0..tk)
            .map(|j| beta * (0..d).map(|c| q[i * d + c] * k[j * d + c]).sum::<f64>())
            .collect();
        let max = s.iter().cloned().fold(f64::MIN, f64::max);
        let e: Vec<f64> = s.iter().map(|v| (v - max).exp()).collect();
        let z: f64 = e.iter().sum();
        for j in 0..tk {
            for c in 0..d {
                out[i * d + c] += e[j] / z * k[j * d + c];
            }
        }
    }
    out
}

#[test]
fn attend_matches_its_formula_with_finite_difference_gradients() {
    let device = sslc_runtime::device::default().autodiff();
    let mut rng = Rng::new(11);
    let (tq, tk, d, beta) = (3, 5, 4, 0.7);
    let (q, k) = (random([1, tq, d], &mut rng), random([1, tk, d], &mut rng));
    let tqv = tensor(&q, [1, tq, d], &device).require_grad();
    let out = tokens::attend(tqv.clone(), tensor(&k, [1, tk, d], &device), beta as f32);
    let got: Vec<f32> = out.clone().try_into_vec_as().expect("values");
    let want = ref_attend(&q, &k, tq, tk, d, beta);
    for (g, w) in got.iter().zip(&want) {
        assert!((*g as f64 - w).abs() < 1e-4, "attend {g} vs {w}");
    }
    // Gradient of the sum of outputs with respect to q.
    let grads = out.sum().backward();
    let gq: Vec<f32> = tqv.grad(&grads).expect("grad").try_into_vec_as().expect("grad values");
    let h = 1e-5;
    for i in 0..q.len() {
        let (mut up, mut down) = (q.clone(), q.clone());
        up[i] += h;
        down[i] -= h;
        let f = |q: &[f64]| ref_attend(q, &k, tq, tk, d, beta).iter().sum::<f64>();
        let fd = (f(&up) - f(&down)) / (2.0 * h);
        assert!(
            (gq[i] as f64 - fd).abs() < 1e-3 * (1.0 + fd.abs()),
            "∂q[{i}]: {} vs {fd}",
            gq[i]
        );
    }
}

#[test]
fn select_takes_kept_tokens_of_every_view_skipping_the_class_token() {
    let device = sslc_runtime::device::default();
    // 1 image with 2 views, a class token and 4 grid tokens of width 1: values = view·10 + pos.
    let x: Vec<f32> = (0..2).flat_map(|v| (0..5).map(move |p| (v * 10 + p) as f32)).collect();
    let x = Tensor::<3>::from_data(TensorData::new(x, [2, 5, 1]), &device);
    let mask = Mask {
        keep: Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 3], [1, 2]), &device),
        restore: Tensor::<2, Int>::from_data(TensorData::new(vec![2i64, 0, 3, 1], [1, 4]), &device),
        masked: Tensor::from_data(TensorData::new(vec![1.0f32, 0.0, 1.0, 0.0], [1, 4]), &device),
    };
    let out: Vec<f32> = tokens::select(x, &mask).try_into_vec_as().expect("selected");
    // Grid token i sits at position i + 1 (after the class token).
    assert_eq!(out, vec![2.0, 4.0, 12.0, 14.0]);
}

#[test]
fn per_image_values_repeat_over_views_in_order() {
    let device = sslc_runtime::device::default();
    let a = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 2.0], [2, 1]), &device);
    let b = Tensor::<2>::zeros([4, 1], &device);
    let (a, b) = tokens::match_rows2(a, b);
    assert_eq!(b.dims(), [4, 1]);
    assert_eq!(a.try_into_vec_as::<f32>().expect("rows"), vec![1.0, 1.0, 2.0, 2.0]);
}

#[test]
fn segment_pooling_averages_the_cells_of_each_sampled_segment() {
    use sslc_runtime::exec::segments::{grid_labels, pooling};
    use sslc_runtime::val::SegMap;
    let device = sslc_runtime::device::default();
    // A 4×4 map on a 2×2 grid: left column id 1, right column id 2.
    let data: Vec<u8> = (0..16).map(|i| if i % 4 < 2 { 1 } else { 2 }).collect();
    let map = SegMap { data, h: 4, w: 4 };
    assert_eq!(grid_labels(&map, 2), vec![1, 2, 1, 2]);
    let (weights, ids) = pooling(std::slice::from_ref(&map), 2, 3, &device);
    // Token values 10, 20, 30, 40 on the grid: segment 1 averages 20, segment 2 averages 30.
    let tokens = Tensor::<3>::from_data(TensorData::new(vec![10.0f32, 20.0, 30.0, 40.0], [1, 4, 1]), &device);
    let pooled: Vec<f32> = weights.matmul(tokens).try_into_vec_as().expect("pooled");
    for (id, v) in ids.iter().zip(&pooled) {
        let want = if *id == 1 { 20.0 } else { 30.0 };
        assert!((v - want).abs() < 1e-5, "segment {id}: {v}");
    }
}
