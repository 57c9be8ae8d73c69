//! SiameseIM's relative position queries: the patch centres of one crop in another's frame.

use burn::tensor::{Tensor, TensorData};
use sslc_runtime::augment::Crop;
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

/// The centre of patch (r, c) of `view` in `frame`'s patch units as the frame is shown,
/// computed in original-image pixels: the patch centre in the image, then into the frame.
fn centre_in_frame(view: &Crop, frame: &Crop, g: usize, r: usize, c: usize) -> (f32, f32) {
    let y = view.y + (r as f32 + 0.5) / g as f32 * view.h;
    let across = (c as f32 + 0.5) / g as f32 * view.w;
    let x = if view.flipped {
        view.x + view.w - across
    } else {
        view.x + across
    };
    let fy = (y - frame.y) / frame.h * g as f32 - 0.5;
    let fx = if frame.flipped {
        frame.x + frame.w - x
    } else {
        x - frame.x
    } / frame.w
        * g as f32
        - 0.5;
    (fy, fx)
}

#[test]
fn queries_land_on_the_patch_they_describe_for_every_flip() {
    let device = sslc_runtime::device::default();
    let g = 4;
    let embed = CoordEmbed::new(16, g, &device);
    for (view_flipped, frame_flipped) in [(false, false), (true, false), (false, true), (true, true)] {
        let frame = Crop {
            y: 2.0,
            x: 3.0,
            h: 20.0,
            w: 24.0,
            flipped: frame_flipped,
        };
        let view = Crop {
            y: 6.0,
            x: 5.0,
            h: 10.0,
            w: 8.0,
            flipped: view_flipped,
        };
        let geo = Tensor::<2>::from_data(TensorData::new(view.relative_to(&frame).to_vec(), [1, 5]), &device);
        let q: Vec<f32> = embed.coordinates(geo).try_into_vec_as().expect("coordinates");
        for r in 0..g {
            for c in 0..g {
                let (h, w) = centre_in_frame(&view, &frame, g, r, c);
                let at = |k: usize| q[(r * g + c) * 4 + k];
                assert!(
                    (at(0) - h).abs() < 1e-4,
                    "{view_flipped} {frame_flipped} ({r},{c}): row {} vs {h}",
                    at(0)
                );
                assert!(
                    (at(1) - w).abs() < 1e-4,
                    "{view_flipped} {frame_flipped} ({r},{c}): col {} vs {w}",
                    at(1)
                );
            }
        }
    }
}
