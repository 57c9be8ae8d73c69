//! Resizing a box of an image to a square: bilinear where the box is no larger than the output,
//! antialiased where it shrinks (a triangle filter widened by the shrink factor, as PIL's and
//! torchvision's `antialias=True` resize), so a large photo cropped to 224 px does not alias.

use crate::data::Image;

/// One output index's source pixels along an axis: `weights[k]` applies to pixel `start + k`.
struct Taps {
    start: usize,
    weights: Vec<f32>,
}

/// Each output index's taps along one axis: a box of `extent` source pixels from `start`, out
/// to `size` pixels, in an image of `len` pixels. A triangle's support is one run of pixels, so
/// the taps of an output are contiguous.
fn taps(start: f32, extent: f32, size: usize, len: usize) -> Vec<Taps> {
    let scale = extent / size as f32;
    let support = scale.max(1.0);
    (0..size)
        .map(|o| {
            let centre = start + (o as f32 + 0.5) * scale;
            let lo = (centre - support).floor().max(0.0) as usize;
            let hi = ((centre + support).ceil() as usize).min(len);
            let mut first = None;
            let mut weights = vec![];
            for i in lo..hi {
                let w = (1.0 - ((i as f32 + 0.5 - centre) / support).abs()).max(0.0);
                if w > 0.0 {
                    first.get_or_insert(i);
                    weights.push(w);
                }
            }
            let total: f32 = weights.iter().sum();
            match first {
                Some(start) if total > 0.0 => {
                    weights.iter_mut().for_each(|w| *w /= total);
                    Taps { start, weights }
                }
                // A box beyond the image: its nearest pixel.
                _ => Taps {
                    start: ((centre.max(0.0)) as usize).min(len - 1),
                    weights: vec![1.0],
                },
            }
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
    let first = rows.iter().map(|t| t.start).min().unwrap_or(0);
    let last = rows.iter().map(|t| t.start + t.weights.len()).max().unwrap_or(0);
    let mut across = vec![0.0f32; img.h * size];
    let plane = img.h * img.w;
    for c in 0..img.c {
        let src = &img.data[c * plane..(c + 1) * plane];
        // Across each source row: one short dot product per output column.
        for sy in first..last {
            let row = &src[sy * img.w..(sy + 1) * img.w];
            let dst = &mut across[sy * size..(sy + 1) * size];
            for (d, t) in dst.iter_mut().zip(&cols) {
                let pixels = &row[t.start..t.start + t.weights.len()];
                *d = t.weights.iter().zip(pixels).fold(0.0, |acc, (wt, v)| acc + v * wt);
            }
        }
        // Down each column: whole rows scaled and added, in the taps' order.
        let out_plane = &mut out.data[c * size * size..(c + 1) * size * size];
        for (t, dst) in rows.iter().zip(out_plane.chunks_exact_mut(size)) {
            for (k, wt) in t.weights.iter().enumerate() {
                let sy = t.start + k;
                let row = &across[sy * size..(sy + 1) * size];
                dst.iter_mut().zip(row).for_each(|(d, v)| *d += v * wt);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The antialiased path written plainly, one output pixel at a time.
    fn plain(img: &Image, (y, x, h, w): (f32, f32, f32, f32), size: usize) -> Image {
        let (rows, cols) = (taps(y, h, size, img.h), taps(x, w, size, img.w));
        let mut out = Image::new(img.c, size, size);
        for c in 0..img.c {
            for (oy, r) in rows.iter().enumerate() {
                for (ox, t) in cols.iter().enumerate() {
                    let across = |sy: usize| -> f32 {
                        let mut acc = 0.0;
                        for (k, wt) in t.weights.iter().enumerate() {
                            acc += img.at(c, sy, t.start + k) * wt;
                        }
                        acc
                    };
                    let mut v = 0.0;
                    for (k, wt) in r.weights.iter().enumerate() {
                        v += across(r.start + k) * wt;
                    }
                    out.set(c, oy, ox, v);
                }
            }
        }
        out
    }

    #[test]
    fn the_row_at_a_time_resize_is_the_plain_one_bit_for_bit() {
        let mut rng = Rng::new(7);
        let mut img = Image::new(3, 37, 53);
        img.data.iter_mut().for_each(|v| *v = rng.range(0.0, 1.0));
        for _ in 0..50 {
            let (h, w) = (rng.range(9.0, 37.0), rng.range(9.0, 53.0));
            let (y, x) = (rng.range(0.0, 37.0 - h), rng.range(0.0, 53.0 - w));
            let size = 2 + rng.below(7);
            let (fast, plain) = (resize_box(&img, (y, x, h, w), size), plain(&img, (y, x, h, w), size));
            assert_eq!(fast.data, plain.data, "box ({y}, {x}, {h}, {w}) to {size}");
        }
    }

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
