//! Geometric augmentations: random resized crop (recording its box) and horizontal flip.

use crate::data::Image;
use crate::rng::Rng;

/// Where a view lies in the original image: box in source pixels and whether it is flipped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crop {
    pub y: f32,
    pub x: f32,
    pub h: f32,
    pub w: f32,
    pub flipped: bool,
}

impl Crop {
    /// Where this crop lies in `frame`'s crop as the frame is shown (SiameseIM): offsets and
    /// scales in units of the frame's size, and whether exactly one of the two is flipped. In a
    /// flipped frame, columns count from its right edge in the original image.
    pub fn relative_to(&self, frame: &Crop) -> [f32; 5] {
        let dj = if frame.flipped {
            (frame.x + frame.w - self.x - self.w) / frame.w
        } else {
            (self.x - frame.x) / frame.w
        };
        [
            (self.y - frame.y) / frame.h,
            dj,
            self.h / frame.h,
            self.w / frame.w,
            if self.flipped != frame.flipped { 1.0 } else { 0.0 },
        ]
    }

    pub fn full(img: &Image) -> Self {
        Crop {
            y: 0.0,
            x: 0.0,
            h: img.h as f32,
            w: img.w as f32,
            flipped: false,
        }
    }
}

/// torchvision's RandomResizedCrop: area fraction in `scale`, log-uniform aspect in `ratio`,
/// 10 tries, then torchvision's fallback, the largest centred box whose aspect is the image's
/// clamped into `ratio` (the whole image when the image's aspect is allowed). The box is taken
/// from the image as it is, at its own aspect ratio, and resized to `size` (antialiased where
/// it shrinks, `data::resize::resize_box`).
pub fn random_resized_crop(
    img: &Image,
    frame: Crop,
    size: usize,
    scale: (f32, f32),
    ratio: (f32, f32),
    rng: &mut Rng,
) -> (Image, Crop) {
    let b = draw_box((img.h, img.w), scale, ratio, rng);
    (
        crate::data::resize::resize_box(img, b, size),
        placed(b, (img.h, img.w), frame),
    )
}

/// The box `(y, x, h, w)` a random resized crop of an image of `dims` (height, width) draws.
pub fn draw_box(dims: (usize, usize), scale: (f32, f32), ratio: (f32, f32), rng: &mut Rng) -> (f32, f32, f32, f32) {
    let (src_h, src_w) = (dims.0 as f32, dims.1 as f32);
    let area = src_h * src_w;
    let mut chosen = None;
    for _ in 0..10 {
        let target = area * rng.range(scale.0, scale.1);
        let log_r = rng.range(ratio.0.ln(), ratio.1.ln());
        let ar = log_r.exp();
        let w = (target * ar).sqrt();
        let h = (target / ar).sqrt();
        if w <= src_w && h <= src_h && w >= 1.0 && h >= 1.0 {
            chosen = Some((rng.range(0.0, src_h - h), rng.range(0.0, src_w - w), h, w));
            break;
        }
    }
    chosen.unwrap_or_else(|| {
        let aspect = src_w / src_h;
        let (lo, hi) = (ratio.0.min(ratio.1), ratio.0.max(ratio.1));
        let (h, w) = if aspect < lo {
            ((src_w / lo).round().min(src_h), src_w)
        } else if aspect > hi {
            (src_h, (src_h * hi).round().min(src_w))
        } else {
            (src_h, src_w)
        };
        (((src_h - h) / 2.0).floor(), ((src_w - w) / 2.0).floor(), h, w)
    })
}

/// Where box `(y, x, h, w)` of an image of `dims` lies in the original, the image itself lying
/// at `frame` (it may be a crop of the original).
pub fn placed((y, x, h, w): (f32, f32, f32, f32), dims: (usize, usize), frame: Crop) -> Crop {
    let (src_h, src_w) = (dims.0 as f32, dims.1 as f32);
    let (fy, fx) = (frame.h / src_h, frame.w / src_w);
    let x_in_frame = if frame.flipped { src_w - x - w } else { x };
    Crop {
        y: frame.y + y * fy,
        x: frame.x + x_in_frame * fx,
        h: h * fy,
        w: w * fx,
        flipped: frame.flipped,
    }
}

/// Horizontal flip with probability `p`.
pub fn flip(img: &mut Image, crop: &mut Crop, p: f32, rng: &mut Rng) {
    if !rng.chance(p) {
        return;
    }
    mirror(img);
    crop.flipped = !crop.flipped;
}

/// The image mirrored left to right.
pub fn mirror(img: &mut Image) {
    for c in 0..img.c {
        for y in 0..img.h {
            let row = (c * img.h + y) * img.w;
            img.data[row..row + img.w].reverse();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Image {
        let mut img = Image::new(1, 8, 8);
        for y in 0..8 {
            for x in 0..8 {
                img.set(0, y, x, x as f32);
            }
        }
        img
    }

    #[test]
    fn full_scale_crop_keeps_the_image() {
        let img = ramp();
        let mut rng = Rng::new(1);
        let (out, crop) = random_resized_crop(&img, Crop::full(&img), 8, (1.0, 1.0), (1.0, 1.0), &mut rng);
        assert_eq!(
            crop,
            Crop {
                y: 0.0,
                x: 0.0,
                h: 8.0,
                w: 8.0,
                flipped: false
            }
        );
        for (a, b) in out.data.iter().zip(&img.data) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn crop_box_lies_inside_the_source() {
        let img = ramp();
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let (_, c) = random_resized_crop(&img, Crop::full(&img), 4, (0.1, 0.5), (0.5, 2.0), &mut rng);
            assert!(c.x >= 0.0 && c.y >= 0.0 && c.x + c.w <= 8.0 + 1e-4 && c.y + c.h <= 8.0 + 1e-4);
        }
    }

    #[test]
    fn flip_reverses_rows_and_records_it() {
        let mut img = ramp();
        let mut crop = Crop::full(&img);
        flip(&mut img, &mut crop, 1.0, &mut Rng::new(0));
        assert_eq!(img.at(0, 3, 0), 7.0);
        assert!(crop.flipped);
    }
}
