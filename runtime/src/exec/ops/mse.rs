//! `mse(a, b)`: the mean of (a − b)² over every entry, any two values of one shape → `[1]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Mse;

use super::{Env, Forward, Inputs, hidden_mean, masked_difference, spread_pair};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Mse {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        if let Some(mask) = self.mask {
            let (d, mask) = masked_difference(x, self.a, self.b, mask)?;
            let per_token = d.powf_scalar(2.0).mean_dim(2).squeeze_dim::<2>(2);
            return Ok(Val::Scalar(hidden_mean(per_token, &mask)));
        }
        let (a, b) = spread_pair(x, &env, self.a, self.b)?;
        Ok(Val::Scalar(mse(a, b)))
    }
}

/// Mean squared error over all elements.
pub fn mse(a: Tensor<1>, b: Tensor<1>) -> Tensor<1> {
    a.sub(b).powf_scalar(2.0).mean()
}

#[cfg(test)]
mod tests {
    use super::super::check::{Mat, check, random};
    use crate::rng::Rng;

    #[test]
    fn mse_matches_its_formula() {
        let mut rng = Rng::new(5);
        let (a, b) = (random(3, 4, &mut rng), random(3, 4, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let d: Vec<f64> = a
                .iter()
                .flatten()
                .zip(b.iter().flatten())
                .map(|(x, y)| (x - y).powi(2))
                .collect();
            d.iter().sum::<f64>() / d.len() as f64
        };
        check("mse", &a, &b, reference, |a, b| {
            super::mse(a.flatten(0, 1), b.flatten(0, 1))
        });
    }

    #[test]
    fn masked_mse_and_smooth_l1_average_each_row_over_its_hidden_tokens() {
        use burn::tensor::Tensor;
        // 2 rows of a class token and a 2×2 grid of width 3; row 0 hides tokens 0 and 3, row 1
        // none: (its mean over tokens 0 and 3 of their mean square error + 0) / 2.
        let (rows, len, d) = (2, 5, 3);
        let hidden = [[true, false, false, true], [false; 4]];
        let mut rng = Rng::new(22);
        let (a, b) = (random(rows * len, d, &mut rng), random(rows * len, d, &mut rng));
        let reference = |a: &Mat, b: &Mat| {
            let token = |r: usize, t: usize| -> f64 {
                let (x, y) = (&a[r * len + 1 + t], &b[r * len + 1 + t]);
                x.iter().zip(y).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / d as f64
            };
            (token(0, 0) + token(0, 3)) / 2.0 / rows as f64
        };
        let mask = |device: &burn::tensor::Device| {
            crate::val::Val::Mask(Box::new(super::super::check::hiding(&[&hidden[0], &hidden[1]], device)))
        };
        // Through the op as the plan decodes it, gradient included.
        check("mse masked", &a, &b, reference, |a, b| {
            let device = a.device();
            let tokens = |t: Tensor<2>| crate::val::Val::Tokens(t.reshape([rows, len, d]));
            let inputs = vec![("a", tokens(a)), ("b", tokens(b)), ("mask", mask(&device))];
            super::super::check::flat_val(super::super::check::apply("mse", &[], inputs, rows))
        });
        // smooth_l1 with β = 0 is the L1 loss, reduced the same way.
        let l1 = |a: &Mat, b: &Mat| {
            let token = |r: usize, t: usize| -> f64 {
                let (x, y) = (&a[r * len + 1 + t], &b[r * len + 1 + t]);
                x.iter().zip(y).map(|(x, y)| (x - y).abs()).sum::<f64>() / d as f64
            };
            (token(0, 0) + token(0, 3)) / 2.0 / rows as f64
        };
        check("smooth_l1 masked", &a, &b, l1, |a, b| {
            let device = a.device();
            let tokens = |t: Tensor<2>| crate::val::Val::Tokens(t.reshape([rows, len, d]));
            let inputs = vec![("a", tokens(a)), ("b", tokens(b)), ("mask", mask(&device))];
            let beta = [("beta", sslc_compiler::value::Param::Num(0.0))];
            super::super::check::flat_val(super::super::check::apply("smooth_l1", &beta, inputs, rows))
        });
    }

    #[test]
    fn a_side_of_one_view_repeats_over_each_images_views() {
        use super::super::check::{apply_typed, check_op, data, flat_val, values};
        use crate::val::Val;
        use burn::tensor::Tensor;
        use sslc_compiler::types::Ty;
        // 2 images × 2 views of width 3 against one view per image.
        let (a, b) = (values(12, &mut Rng::new(6)), values(6, &mut Rng::new(7)));
        let device = crate::device::default().autodiff();
        let reference = |a: &[f64]| -> Vec<f64> {
            let sq: f64 = (0..12).map(|j| (a[j] - b[(j / 6) * 3 + j % 3]).powi(2)).sum();
            vec![sq / 12.0]
        };
        check_op("mse", &a, [4, 3], reference, |t: Tensor<2>| {
            let inputs = vec![
                ("a", Val::Vectors(t), Ty::Vector { dim: 3, n: 2 }),
                (
                    "b",
                    Val::Vectors(data(&b, [2, 3], &device)),
                    Ty::Vector { dim: 3, n: 1 },
                ),
            ];
            flat_val(apply_typed("mse", &[], inputs, Ty::Scalar { n: 1 }, 2))
        });
    }
}
