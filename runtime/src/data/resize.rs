//! Resizing a box of an image to a square: bilinear where the box is no larger than the output,
//! antialiased where it shrinks (a triangle filter widened by the shrink factor, as PIL's and
//! torchvision's `antialias=True` resize), so a large photo cropped to 224 px does not alias.

use crate::data::Image;

/// Each output index's source pixels and their weights along one axis: a box of `extent` source
/// pixels from `start`, out to `size` pixels, in an image of `len` pixels.
fn taps(start: f32, extent: f32, size: usize, len: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = extent / size as f32;
    let support = scale.max(1.0);
    (0..size)
        .map(|o| {
            let centre = start + (o as f32 + 0.5) * scale;
            let lo = (centre - support).floor().max(0.0) as usize;
            let hi = ((centre + support).ceil() as usize).min(len);
            let mut taps: Vec<(usize, f32)> = (lo..hi)
                .map(|i| (i, (1.0 - ((i as f32 + 0.5 - centre) / support).abs()).max(0.0)))
                .filter(|(_, w)| *w > 0.0)
                .collect();
            let total: f32 = taps.iter().map(|(_, w)| w).sum();
            if total > 0.0 {
                taps.iter_mut().for_each(|(_, w)| *w /= total);
            } else {
                // A box beyond the image: its nearest pixel.
                taps = vec![(((centre.max(0.0)) as usize).min(len - 1), 1.0)];
            }
            taps
        })
        .collect()
}

/// The box `(y, x, h, w)` of `img` (source pixels) resized to `size`×`size`.
pub fn resize_box(img: &Image, (y, x, h, w): (f32, f32, f32, f32), size: usize) -> Image {
    let mut out = Image::new(img.c, size, size);
    if h <= size as f32 && w <= size as f32 {
        for c in 0..img.c {
            for oy in 0..size {
                let sy = y + (oy as f32 + 0.5) * h / size as f32;
                for ox in 0..size {
                    let sx = x + (ox as f32 + 0.5) * w / size as f32;
                    out.set(c, oy, ox, img.sample(c, sy, sx));
                }
            }
        }
        return out;
    }
    let (rows, cols) = (taps(y, h, size, img.h), taps(x, w, size, img.w));
    // Only the source rows some output row reads are filtered across.
    let first = rows.iter().flatten().map(|(sy, _)| *sy).min().unwrap_or(0);
    let last = rows.iter().flatten().map(|(sy, _)| *sy + 1).max().unwrap_or(0);
    let mut across = vec![0.0f32; img.h * size];
    for c in 0..img.c {
        for sy in first..last {
            for (ox, col) in cols.iter().enumerate() {
                across[sy * size + ox] = col.iter().map(|(sx, wt)| img.at(c, sy, *sx) * wt).sum();
            }
        }
        for (oy, row) in rows.iter().enumerate() {
            for ox in 0..size {
                let v = row.iter().map(|(sy, wt)| across[sy * size + ox] * wt).sum();
                out.set(c, oy, ox, v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-pixel black-and-white checkerboard.
    fn checkerboard(n: usize) -> Image {
        let mut img = Image::new(1, n, n);
        for y in 0..n {
            for x in 0..n {
                img.set(0, y, x, ((x + y) % 2) as f32);
            }
        }
        img
    }

    #[test]
    fn shrinking_averages_what_point_sampling_would_alias() {
        // 63 pixels to 7: every output centre falls on a source pixel centre, so bilinear
        // sampling reads a single black or white pixel.
        let img = checkerboard(63);
        let out = resize_box(&img, (0.0, 0.0, 63.0, 63.0), 7);
        for y in 0..7 {
            for x in 0..7 {
                let centre = (y as f32 * 9.0 + 4.5, x as f32 * 9.0 + 4.5);
                let point = img.sample(0, centre.0, centre.1);
                assert!(point == 0.0 || point == 1.0, "{point}");
                let v = out.at(0, y, x);
                assert!((v - 0.5).abs() < 0.05, "({y}, {x}) = {v}");
            }
        }
    }

    #[test]
    fn a_box_no_larger_than_the_output_is_resized_bilinearly_as_before() {
        let img = checkerboard(16);
        let out = resize_box(&img, (2.0, 3.0, 10.0, 12.0), 16);
        for (oy, ox) in [(0, 0), (5, 7), (15, 15)] {
            let sy = 2.0 + (oy as f32 + 0.5) * 10.0 / 16.0;
            let sx = 3.0 + (ox as f32 + 0.5) * 12.0 / 16.0;
            assert_eq!(out.at(0, oy, ox), img.sample(0, sy, sx));
        }
    }

    #[test]
    fn a_flat_image_stays_flat_at_any_shrink() {
        let mut img = Image::new(3, 50, 70);
        for c in 0..3 {
            for y in 0..50 {
                for x in 0..70 {
                    img.set(c, y, x, 0.25 * (c + 1) as f32);
                }
            }
        }
        let out = resize_box(&img, (3.0, 5.5, 41.0, 60.0), 7);
        for c in 0..3 {
            assert!((out.at(c, 3, 3) - 0.25 * (c + 1) as f32).abs() < 1e-5);
            assert!((out.at(c, 0, 6) - 0.25 * (c + 1) as f32).abs() < 1e-5);
        }
    }
}
