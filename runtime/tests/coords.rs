//! SiameseIM's relative position queries: the patch centres of one crop in another's frame.

use burn::tensor::{Tensor, TensorData};
use sslc_runtime::nets::CoordEmbed;

#[test]
fn patch_centres_follow_offset_scale_and_flip() {
    let device = sslc_runtime::device::default();
    let g = 4;
    let embed = CoordEmbed::new(16, g, &device);
    // View 2 starts a quarter down and half across view 1, at half its size; second row flipped.
    let geo = vec![0.25f32, 0.5, 0.5, 0.5, 0.0, 0.25, 0.5, 0.5, 0.5, 1.0];
    let geo = Tensor::<2>::from_data(TensorData::new(geo, [2, 5]), &device);
    let q: Vec<f32> = embed.coordinates(geo).try_into_vec_as().expect("coordinates");
    let at = |row: usize, r: usize, c: usize, k: usize| q[(row * g * g + r * g + c) * 4 + k];
    for r in 0..g {
        for c in 0..g {
            let h = 4.0 * 0.25 + 0.5 * (r as f32 + 0.5) - 0.5;
            let w = 4.0 * 0.5 + 0.5 * (c as f32 + 0.5) - 0.5;
            let w_flipped = 4.0 * 0.5 + 0.5 * ((g - 1 - c) as f32 + 0.5) - 0.5;
            assert!((at(0, r, c, 0) - h).abs() < 1e-5);
            assert!((at(0, r, c, 1) - w).abs() < 1e-5);
            assert!((at(1, r, c, 1) - w_flipped).abs() < 1e-5);
            assert!((at(0, r, c, 2) - 10.0 * 0.5f32.ln()).abs() < 1e-4);
        }
    }
}
