//! Token operations: selection by a mask, non-parametric attention, joining and slicing, and
//! repeating a per-image value over the views of a multi-view one.

use burn::tensor::Tensor;
use burn::tensor::activation::softmax;

use crate::error::RunError;
use crate::tensor::{repeat_rows2, repeat_rows3};
use crate::val::Mask;

/// The grid tokens of `x` `[rows, (1 +) tokens, d]`, a leading class token left out.
pub fn grid_part(x: Tensor<3>, tokens: usize) -> Tensor<3> {
    let len = x.dims()[1];
    x.narrow(1, len - tokens, tokens)
}

/// Brings two row counts together by repeating the smaller side's rows.
pub fn match_rows3(a: Tensor<3>, b: Tensor<3>) -> (Tensor<3>, Tensor<3>) {
    let (ra, rb) = (a.dims()[0], b.dims()[0]);
    if ra < rb {
        (repeat_rows3(a, rb / ra.max(1)), b)
    } else {
        let n = ra / rb.max(1);
        (a, repeat_rows3(b, n))
    }
}

/// [`match_rows3`] for matrices.
pub fn match_rows2(a: Tensor<2>, b: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    let (ra, rb) = (a.dims()[0], b.dims()[0]);
    if ra < rb {
        (repeat_rows2(a, rb / ra.max(1)), b)
    } else {
        let n = ra / rb.max(1);
        (a, repeat_rows2(b, n))
    }
}

/// The grid tokens a mask keeps, in grid order; a leading class token is skipped, and a mask
/// drawn per image applies to every view of that image.
pub fn select(x: Tensor<3>, mask: &Mask) -> Result<Tensor<3>, RunError> {
    let [rows, _, d] = x.dims();
    let [_, kept] = mask.kept()?.dims();
    let tokens = mask.restore.dims()[1];
    let grid = grid_part(x, tokens);
    let keep = mask.for_rows(rows).kept()?.clone();
    Ok(grid.gather(1, keep.unsqueeze_dim::<3>(2).expand([rows, kept, d])))
}

/// The grid tokens a mask hides, in grid order; a leading class token is skipped, and a mask
/// drawn per image applies to every view of that image.
pub fn select_masked(x: Tensor<3>, mask: &Mask) -> Result<Tensor<3>, RunError> {
    let [rows, _, d] = x.dims();
    let [_, kept] = mask.kept()?.dims();
    let tokens = mask.restore.dims()[1];
    let grid = grid_part(x, tokens);
    // The grid positions in kept-then-masked order (the inverse of `restore`), masked part.
    let hidden = mask.for_rows(rows).restore.argsort(1).narrow(1, kept, tokens - kept);
    Ok(grid.gather(1, hidden.unsqueeze_dim::<3>(2).expand([rows, tokens - kept, d])))
}

/// `softmax(β·q kᵀ) k` over the tokens of `k` (FLSL mean-shift).
pub fn attend(q: Tensor<3>, k: Tensor<3>, beta: f32) -> Tensor<3> {
    let (q, k) = match_rows3(q, k);
    let weights = softmax(q.matmul(k.clone().swap_dims(1, 2)).mul_scalar(beta), 2);
    weights.matmul(k)
}

/// The tokens of a square patch grid and its side, without a leading class token.
pub fn grid(x: Tensor<3>) -> (Tensor<3>, usize) {
    let len = x.dims()[1];
    let g = (len as f64).sqrt().floor() as usize;
    (x.narrow(1, len - g * g, g * g), g)
}

#[cfg(test)]
mod tests {
    use crate::exec::tokens;
    use crate::rng::Rng;
    use crate::val::Mask;
    use burn::tensor::{Device, Int, Tensor, TensorData};

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
        let device = crate::device::default().autodiff();
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
        let device = crate::device::default();
        // 1 image with 2 views, a class token and 4 grid tokens of width 1: values = view·10 + pos.
        let x: Vec<f32> = (0..2).flat_map(|v| (0..5).map(move |p| (v * 10 + p) as f32)).collect();
        let x = Tensor::<3>::from_data(TensorData::new(x, [2, 5, 1]), &device);
        let mask = Mask {
            keep: Some(Tensor::<2, Int>::from_data(
                TensorData::new(vec![1i64, 3], [1, 2]),
                &device,
            )),
            restore: Tensor::<2, Int>::from_data(TensorData::new(vec![2i64, 0, 3, 1], [1, 4]), &device),
            masked: Tensor::from_data(TensorData::new(vec![1.0f32, 0.0, 1.0, 0.0], [1, 4]), &device),
        };
        let out: Vec<f32> = tokens::select(x.clone(), &mask)
            .expect("a fixed count")
            .try_into_vec_as()
            .expect("selected");
        // Grid token i sits at position i + 1 (after the class token).
        assert_eq!(out, vec![2.0, 4.0, 12.0, 14.0]);
        // The masked ones, grid tokens 0 and 2, are the rest, in grid order.
        let hidden: Vec<f32> = tokens::select_masked(x, &mask)
            .expect("a fixed count")
            .try_into_vec_as()
            .expect("selected");
        assert_eq!(hidden, vec![1.0, 3.0, 11.0, 13.0]);
    }

    #[test]
    fn the_masked_selection_follows_each_images_own_mask() {
        let device = crate::device::default();
        // 2 images, no class token, 4 grid tokens of width 1: values = image·10 + pos; image 0
        // hides tokens 1 and 2, image 1 hides tokens 0 and 3.
        let x: Vec<f32> = (0..2).flat_map(|i| (0..4).map(move |p| (i * 10 + p) as f32)).collect();
        let x = Tensor::<3>::from_data(TensorData::new(x, [2, 4, 1]), &device);
        let mask = Mask {
            keep: Some(Tensor::<2, Int>::from_data(
                TensorData::new(vec![0i64, 3, 1, 2], [2, 2]),
                &device,
            )),
            restore: Tensor::<2, Int>::from_data(TensorData::new(vec![0i64, 2, 3, 1, 2, 0, 1, 3], [2, 4]), &device),
            masked: Tensor::from_data(
                TensorData::new(vec![0.0f32, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0], [2, 4]),
                &device,
            ),
        };
        let hidden: Vec<f32> = tokens::select_masked(x, &mask)
            .expect("a fixed count")
            .try_into_vec_as()
            .expect("selected");
        assert_eq!(hidden, vec![1.0, 2.0, 10.0, 13.0]);
    }

    #[test]
    fn per_image_values_repeat_over_views_in_order() {
        let device = crate::device::default();
        let a = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 2.0], [2, 1]), &device);
        let b = Tensor::<2>::zeros([4, 1], &device);
        let (a, b) = tokens::match_rows2(a, b);
        assert_eq!(b.dims(), [4, 1]);
        assert_eq!(a.try_into_vec_as::<f32>().expect("rows"), vec![1.0, 1.0, 2.0, 2.0]);
    }
}
