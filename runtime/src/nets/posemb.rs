//! Fixed 2-D sin-cos position embeddings (MAE), evaluated at real grid coordinates so that a
//! grid of another size gets the interpolated embedding of the grid the network was built for.

use burn::tensor::{Device, Tensor, TensorData};

/// Embeddings for a `gh × gw` grid, as `[gh·gw, dim]`. `scale` maps this grid's coordinates to
/// the reference grid's (1 when the sizes agree), centre to centre: cell y sits at
/// (y + ½)·scale − ½, as interpolating the reference table (DINO, MAE) places it. The first
/// half of the width encodes the row, the second half the column; a width not divisible by 4
/// leaves the last entries at zero.
pub fn sincos_2d(gh: usize, gw: usize, dim: usize, scale: (f32, f32)) -> Vec<f32> {
    let quarter = dim / 4;
    let mut out = vec![0.0f32; gh * gw * dim];
    for y in 0..gh {
        for x in 0..gw {
            let row = &mut out[(y * gw + x) * dim..(y * gw + x + 1) * dim];
            let centre = |i: usize, s: f32| (i as f32 + 0.5) * s - 0.5;
            for (axis, pos) in [(0, centre(y, scale.0)), (1, centre(x, scale.1))] {
                for i in 0..quarter {
                    let omega = 1.0 / 10000f32.powf(i as f32 / quarter.max(1) as f32);
                    row[axis * 2 * quarter + i] = (pos * omega).sin();
                    row[axis * 2 * quarter + quarter + i] = (pos * omega).cos();
                }
            }
        }
    }
    out
}

/// The embeddings as a `[1, gh·gw, dim]` constant tensor.
pub fn tensor(gh: usize, gw: usize, dim: usize, reference: (usize, usize), device: &Device) -> Tensor<3> {
    let scale = (
        reference.0 as f32 / gh.max(1) as f32,
        reference.1 as f32 / gw.max(1) as f32,
    );
    let data = sincos_2d(gh, gw, dim, scale);
    Tensor::from_data(TensorData::new(data, [1, gh * gw, dim]), device)
}

#[cfg(test)]
mod tests {
    use super::sincos_2d;

    #[test]
    fn rows_share_the_row_half_and_columns_the_column_half() {
        let e = sincos_2d(3, 3, 8, (1.0, 1.0));
        let at = |y: usize, x: usize| &e[(y * 3 + x) * 8..(y * 3 + x + 1) * 8];
        assert_eq!(at(1, 0)[..4], at(1, 2)[..4]);
        assert_eq!(at(0, 2)[4..], at(2, 2)[4..]);
        assert_ne!(at(0, 0)[..4], at(1, 0)[..4]);
        // sin(0) = 0 and cos(0) = 1 at the origin.
        assert_eq!(at(0, 0), &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn a_coarser_grid_samples_the_reference_at_its_cell_centres() {
        let coarse = sincos_2d(2, 2, 8, (2.0, 2.0));
        // Coarse cell 1 covers fine cells 2 and 3: its centre is fine position 2.5 on each axis,
        // embedded with frequencies 1 and 1/100 (dim 8: two per axis and function).
        let p = 2.5f32;
        let want = [p.sin(), (p / 100.0).sin(), p.cos(), (p / 100.0).cos()];
        for (got, want) in coarse[3 * 8..4 * 8].iter().zip(want.iter().chain(want.iter())) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        // The same grid size keeps integer positions.
        assert_eq!(
            sincos_2d(2, 2, 8, (1.0, 1.0))[..8],
            [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
        );
    }
}
