//! Photometric augmentations: colour jitter, grayscale, Gaussian blur, solarize.

use crate::data::Image;
use crate::rng::Rng;

fn luma(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

fn mean_luma(img: &Image) -> f32 {
    let n = img.h * img.w;
    (0..n)
        .map(|i| luma(img.data[i], img.data[n + i], img.data[2 * n + i]))
        .sum::<f32>()
        / n as f32
}

/// Rotates the hue by `shift` turns (YIQ rotation).
fn hue(img: &mut Image, shift: f32) {
    let n = img.h * img.w;
    let (c, s) = (
        (shift * std::f32::consts::TAU).cos(),
        (shift * std::f32::consts::TAU).sin(),
    );
    for i in 0..n {
        let (r, g, b) = (img.data[i], img.data[n + i], img.data[2 * n + i]);
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        let ii = 0.596 * r - 0.274 * g - 0.322 * b;
        let q = 0.211 * r - 0.523 * g + 0.312 * b;
        let (i2, q2) = (ii * c - q * s, ii * s + q * c);
        img.data[i] = (y + 0.956 * i2 + 0.621 * q2).clamp(0.0, 1.0);
        img.data[n + i] = (y - 0.272 * i2 - 0.647 * q2).clamp(0.0, 1.0);
        img.data[2 * n + i] = (y - 1.106 * i2 + 1.703 * q2).clamp(0.0, 1.0);
    }
}

/// What one colour jitter drew: the order of its four parts (brightness, contrast, saturation,
/// hue) and each part's factor (hue: its shift in turns; `None` for a hue of strength 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jitter {
    pub order: [usize; 4],
    pub factors: [Option<f32>; 4],
}

/// The draws of a colour jitter of an image of `channels` channels: `None` when it leaves the
/// image as it is (probability 1 − `p`, or not three channels).
pub fn draw_jitter(channels: usize, strength: [f32; 4], p: f32, rng: &mut Rng) -> Option<Jitter> {
    if channels != 3 || !rng.chance(p) {
        return None;
    }
    let mut order = [0usize, 1, 2, 3];
    for i in (1..4).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut factors = [None; 4];
    for k in order {
        let s = strength[k];
        factors[k] = match k {
            0..=2 => Some(rng.range(1.0 - s, 1.0 + s).max(0.0)),
            _ => (s > 0.0).then(|| rng.range(-s, s)),
        };
    }
    Some(Jitter { order, factors })
}

/// Applies what a colour jitter drew, part by part in its order.
pub fn apply_jitter(img: &mut Image, jitter: &Jitter) {
    let n = img.h * img.w;
    for k in jitter.order {
        let Some(f) = jitter.factors[k] else { continue };
        match k {
            0 => img.data.iter_mut().for_each(|v| *v = (*v * f).clamp(0.0, 1.0)),
            1 => {
                let m = mean_luma(img);
                img.data
                    .iter_mut()
                    .for_each(|v| *v = ((*v - m) * f + m).clamp(0.0, 1.0));
            }
            2 => {
                for i in 0..n {
                    let l = luma(img.data[i], img.data[n + i], img.data[2 * n + i]);
                    for c in 0..3 {
                        let v = &mut img.data[c * n + i];
                        *v = ((*v - l) * f + l).clamp(0.0, 1.0);
                    }
                }
            }
            _ => hue(img, f),
        }
    }
}

/// Whether a grayscale of an image of `channels` channels turns it grey (probability `p`).
pub fn draw_grayscale(channels: usize, p: f32, rng: &mut Rng) -> bool {
    channels == 3 && rng.chance(p)
}

/// The image grey, its luma in all three channels.
pub fn to_grey(img: &mut Image) {
    let n = img.h * img.w;
    for i in 0..n {
        let l = luma(img.data[i], img.data[n + i], img.data[2 * n + i]);
        for c in 0..3 {
            img.data[c * n + i] = l;
        }
    }
}

/// The kernel a blur of an image `width` pixels wide drew, σ from `sigma` (given at 224 px,
/// scaled to the image): normalised taps from −radius to radius; `None` when it leaves the
/// image as it is (probability 1 − `p`, or σ under 0.05 pixels).
pub fn draw_blur(width: usize, p: f32, sigma: (f32, f32), rng: &mut Rng) -> Option<Vec<f32>> {
    if !rng.chance(p) {
        return None;
    }
    let s = rng.range(sigma.0, sigma.1) * width as f32 / 224.0;
    if s < 0.05 {
        return None;
    }
    let radius = (3.0 * s).ceil() as i64;
    let kernel: Vec<f32> = (-radius..=radius)
        .map(|i| (-(i * i) as f32 / (2.0 * s * s)).exp())
        .collect();
    let total: f32 = kernel.iter().sum();
    Some(kernel.iter().map(|k| k / total).collect())
}

/// The image blurred by `kernel` along its rows, then its columns.
pub fn apply_blur(img: &mut Image, kernel: &[f32]) {
    let mut tmp = img.clone();
    convolve(img, &mut tmp, kernel, Axis::Rows);
    convolve(&tmp, img, kernel, Axis::Columns);
}

/// Which way a pass of the blur runs.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Axis {
    Rows,
    Columns,
}

/// One pass of a centred 1-D kernel along `axis`, with the border pixel repeated. Each output is
/// the kernel's taps added in order, whichever loop runs.
fn convolve(src: &Image, dst: &mut Image, kernel: &[f32], axis: Axis) {
    let radius = kernel.len() / 2;
    let (h, w) = (src.h, src.w);
    let plane = h * w;
    for c in 0..src.c {
        let s = &src.data[c * plane..(c + 1) * plane];
        let d = &mut dst.data[c * plane..(c + 1) * plane];
        if axis == Axis::Rows {
            // Along each row: a dot product per pixel, on the row itself away from its ends.
            for (row, out) in s.chunks_exact(w).zip(d.chunks_exact_mut(w)) {
                for (x, o) in out.iter_mut().enumerate() {
                    *o = if x >= radius && x + radius < w {
                        kernel
                            .iter()
                            .zip(&row[x - radius..=x + radius])
                            .fold(0.0, |acc, (k, v)| acc + k * v)
                    } else {
                        kernel.iter().enumerate().fold(0.0, |acc, (k, kv)| {
                            acc + kv * row[(x + k).saturating_sub(radius).min(w - 1)]
                        })
                    };
                }
            }
        } else {
            // Down each column: whole rows scaled and added, tap by tap.
            for (y, out) in d.chunks_exact_mut(w).enumerate() {
                out.fill(0.0);
                for (k, kv) in kernel.iter().enumerate() {
                    let sy = (y + k).saturating_sub(radius).min(h - 1);
                    let row = &s[sy * w..(sy + 1) * w];
                    out.iter_mut().zip(row).for_each(|(o, v)| *o += kv * v);
                }
            }
        }
    }
}

/// Inverts values at or above `threshold`.
pub fn apply_solarize(img: &mut Image, threshold: f32) {
    img.data
        .iter_mut()
        .filter(|v| **v >= threshold)
        .for_each(|v| *v = 1.0 - *v);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pass of the blur written plainly, one output pixel at a time.
    fn plain(src: &Image, kernel: &[f32], axis: Axis) -> Image {
        let radius = (kernel.len() / 2) as i64;
        let mut dst = src.clone();
        for c in 0..src.c {
            for y in 0..src.h as i64 {
                for x in 0..src.w as i64 {
                    let mut v = 0.0;
                    for (k, kv) in kernel.iter().enumerate() {
                        let off = k as i64 - radius;
                        let (yy, xx) = match axis {
                            Axis::Rows => (y, x + off),
                            Axis::Columns => (y + off, x),
                        };
                        let (yy, xx) = (yy.clamp(0, src.h as i64 - 1), xx.clamp(0, src.w as i64 - 1));
                        v += kv * src.at(c, yy as usize, xx as usize);
                    }
                    dst.set(c, y as usize, x as usize, v);
                }
            }
        }
        dst
    }

    #[test]
    fn each_pass_of_the_blur_is_the_plain_convolution_bit_for_bit() {
        let mut rng = Rng::new(5);
        let mut img = Image::new(3, 11, 17);
        img.data.iter_mut().for_each(|v| *v = rng.range(0.0, 1.0));
        // Kernels narrower and wider than the image.
        for taps in [1, 3, 7, 13, 25] {
            let kernel: Vec<f32> = (0..taps).map(|_| rng.range(0.0, 1.0)).collect();
            for axis in [Axis::Rows, Axis::Columns] {
                let mut dst = img.clone();
                convolve(&img, &mut dst, &kernel, axis);
                assert_eq!(dst.data, plain(&img, &kernel, axis).data, "{taps} taps along {axis:?}");
            }
        }
    }

    #[test]
    fn blur_keeps_a_constant_image() {
        let mut img = Image {
            c: 3,
            h: 8,
            w: 8,
            data: vec![0.5; 192],
        };
        let kernel = draw_blur(img.w, 1.0, (20.0, 20.0), &mut Rng::new(0)).expect("a blur at p = 1");
        apply_blur(&mut img, &kernel);
        assert!(img.data.iter().all(|v| (v - 0.5).abs() < 1e-5));
    }

    #[test]
    fn grayscale_equalises_channels() {
        let mut img = Image {
            c: 3,
            h: 1,
            w: 2,
            data: vec![1.0, 0.0, 0.0, 1.0, 0.5, 0.5],
        };
        assert!(draw_grayscale(img.c, 1.0, &mut Rng::new(0)));
        to_grey(&mut img);
        assert_eq!(img.data[0], img.data[2]);
        assert_eq!(img.data[2], img.data[4]);
    }

    #[test]
    fn solarize_inverts_bright_pixels() {
        let mut img = Image {
            c: 1,
            h: 1,
            w: 2,
            data: vec![0.2, 0.8],
        };
        apply_solarize(&mut img, 0.5);
        assert!((img.data[1] - 0.2).abs() < 1e-6 && img.data[0] == 0.2);
    }
}
