//! Rotary position embeddings on a 2-D grid (RoFormer's rotation, axial as in DINOv3): each
//! patch token's queries and keys are turned, pair of features by pair, by angles proportional
//! to its row and column; tokens before the patches (class, registers) are left as they are.
//! DINOv3's form: coordinates normalised to [−1, 1] whatever the grid (cell centres), periods
//! `base^(2j / (d/2))` for j < d/4 with base 100, angles 2π·coordinate / period, laid out as
//! [rows, columns, rows, columns] over a head's width and applied with "rotate half".

use burn::tensor::{Device, Int, Tensor, TensorData};

/// The cosines and sines of one attention's tokens, `[batch or 1, 1, tokens, head width]`.
#[derive(Clone, Debug)]
pub struct Rope {
    cos: Tensor<4>,
    sin: Tensor<4>,
}

/// DINOv3's base period.
const BASE: f64 = 100.0;

/// The angles of the patches of a `gh × gw` grid, `[gh·gw, head / 2]` row-major.
pub fn angles(gh: usize, gw: usize, head: usize) -> Vec<f32> {
    let quarter = head / 4;
    let coord = |i: usize, n: usize| 2.0 * (i as f64 + 0.5) / n.max(1) as f64 - 1.0;
    let mut out = Vec::with_capacity(gh * gw * 2 * quarter);
    for y in 0..gh {
        for x in 0..gw {
            for c in [coord(y, gh), coord(x, gw)] {
                for j in 0..quarter {
                    let period = BASE.powf(2.0 * j as f64 / (2 * quarter) as f64);
                    out.push((std::f64::consts::TAU * c / period) as f32);
                }
            }
        }
    }
    out
}

impl Rope {
    /// The rotation of `prefix` leading tokens (none) and the patches of a `gh × gw` grid, every
    /// image alike; with `kept` (`[batch, kept]` patch indices), those patches only, per image.
    pub fn new(
        grid: (usize, usize),
        head: usize,
        prefix: usize,
        kept: Option<Tensor<2, Int>>,
        device: &Device,
    ) -> Rope {
        let (gh, gw) = grid;
        let half = head / 2;
        let table = Tensor::<2>::from_data(TensorData::new(angles(gh, gw, head), [gh * gw, half]), device);
        let patches: Tensor<3> = match kept {
            None => table.unsqueeze_dim(0),
            Some(kept) => {
                let [b, k] = kept.dims();
                table.select(0, kept.reshape([b * k])).reshape([b, k, half])
            }
        };
        let [b, _, _] = patches.dims();
        let theta = if prefix > 0 {
            Tensor::cat(vec![Tensor::zeros([b, prefix, half], device), patches], 1)
        } else {
            patches
        };
        let theta: Tensor<4> = Tensor::cat(vec![theta.clone(), theta], 2).unsqueeze_dim(1);
        Rope {
            cos: theta.clone().cos(),
            sin: theta.sin(),
        }
    }

    /// `x` (`[batch, heads, tokens, head width]`) rotated: x·cos + rotate_half(x)·sin, where
    /// rotate_half([a, b]) = [−b, a] over the two halves of the width.
    pub fn apply(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, t, d] = x.dims();
        let half = d / 2;
        let turned = Tensor::cat(
            vec![x.clone().narrow(3, half, half).neg(), x.clone().narrow(3, 0, half)],
            3,
        );
        let cos = self.cos.clone().expand([b, h, t, d]);
        let sin = self.sin.clone().expand([b, h, t, d]);
        x * cos + turned * sin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rotation keeps each token's norm and makes q·k depend on the offset between the two
    /// positions only: equal for two pairs of cells the same distance apart.
    #[test]
    fn scores_depend_on_relative_position_only() {
        let device = Device::default();
        let head = 8;
        let rope = Rope::new((4, 4), head, 0, None, &device);
        let q = Tensor::<4>::ones([1, 1, 16, head], &device);
        let turned = rope.apply(q.clone());
        let norms: Vec<f32> = turned
            .clone()
            .powf_scalar(2.0)
            .sum_dim(3)
            .try_into_vec_as::<f32>()
            .unwrap();
        for n in norms {
            assert!((n - head as f32).abs() < 1e-4, "{n}");
        }
        let rows: Vec<f32> = turned.reshape([16, head]).try_into_vec_as::<f32>().unwrap();
        let dot = |a: usize, b: usize| -> f32 { (0..head).map(|i| rows[a * head + i] * rows[b * head + i]).sum() };
        // cells (0,0)·(1,2) and (2,1)·(3,3): the same offset (1, 2).
        assert!((dot(0, 6) - dot(9, 15)).abs() < 1e-4);
        // a different offset gives a different score
        assert!((dot(0, 6) - dot(0, 5)).abs() > 1e-3);
    }

    #[test]
    fn leading_tokens_are_not_turned() {
        let device = Device::default();
        let rope = Rope::new((2, 2), 4, 1, None, &device);
        let x = Tensor::<4>::random([1, 2, 5, 4], burn::tensor::Distribution::Default, &device);
        let y = rope.apply(x.clone());
        let a: Vec<f32> = x.narrow(2, 0, 1).try_into_vec_as::<f32>().unwrap();
        let b: Vec<f32> = y.narrow(2, 0, 1).try_into_vec_as::<f32>().unwrap();
        assert_eq!(a, b);
    }

    /// With kept patches, each image's rows are the full grid's rows at its own indices.
    #[test]
    fn kept_patches_take_their_own_angles() {
        let device = Device::default();
        let full = Rope::new((2, 3), 4, 1, None, &device);
        let kept = Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 4, 0, 5], [2, 2]), &device);
        let some = Rope::new((2, 3), 4, 1, Some(kept), &device);
        let rows = |r: &Rope, b: usize, t: usize| -> Vec<f32> {
            let b = b.min(r.cos.dims()[0] - 1);
            r.cos
                .clone()
                .narrow(0, b, 1)
                .narrow(2, t, 1)
                .try_into_vec_as::<f32>()
                .unwrap()
        };
        for (image, patches) in [(0, [1, 4]), (1, [0, 5])] {
            assert_eq!(rows(&some, image, 0), rows(&full, 0, 0));
            for (i, p) in patches.into_iter().enumerate() {
                assert_eq!(rows(&some, image, 1 + i), rows(&full, 0, 1 + p));
            }
        }
    }
}
