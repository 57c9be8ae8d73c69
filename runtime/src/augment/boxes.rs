//! Geometry that follows boxes and label maps through crops: crop pairs whose overlap holds
//! boxes (UniVIP), boxes inside an overlap, crops of boxes, and segment maps carried through a
//! view's crop and flip with nearest-neighbour sampling.

use super::geometry::{Crop, draw_box, placed};
use crate::data::Image;
use crate::data::resize::resize_box;
use crate::rng::Rng;

/// A box `(x0, y0, x1, y1)` in original-image pixels.
pub type Box2 = [f32; 4];

/// A crop's box `(y, x, h, w)` in its source's pixels, as crops draw them.
pub type Bx = (f32, f32, f32, f32);

/// A crop's rectangle in original-image pixels.
pub fn rect(c: &Crop) -> Box2 {
    [c.x, c.y, c.x + c.w, c.y + c.h]
}

/// The intersection of two crops, if they meet.
pub fn overlap(a: &Crop, b: &Crop) -> Option<Box2> {
    let (ra, rb) = (rect(a), rect(b));
    let r = [ra[0].max(rb[0]), ra[1].max(rb[1]), ra[2].min(rb[2]), ra[3].min(rb[3])];
    (r[2] > r[0] && r[3] > r[1]).then_some(r)
}

fn contains(outer: &Box2, inner: &Box2) -> bool {
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3]
}

/// Two random resized crops, redrawn up to `tries` times until their overlap holds at least
/// `min_boxes` of `boxes`; the last pair is kept when none does.
#[allow(clippy::too_many_arguments)]
pub fn crop_pair(
    img: &Image,
    frame: Crop,
    boxes: &[Box2],
    size: usize,
    scale: (f32, f32),
    ratio: (f32, f32),
    min_boxes: usize,
    tries: usize,
    rng: &mut Rng,
) -> [(Image, Crop); 2] {
    pair_boxes((img.h, img.w), frame, boxes, scale, ratio, min_boxes, tries, rng)
        .map(|(b, crop)| (resize_box(img, b, size), crop))
}

/// The boxes `(y, x, h, w)` that [`crop_pair`] cuts from an image of `dims`, each with where it
/// lies through `frame`: only the kept pair is resized, on the CPU or on the device.
#[allow(clippy::too_many_arguments)]
pub fn pair_boxes(
    dims: (usize, usize),
    frame: Crop,
    boxes: &[Box2],
    scale: (f32, f32),
    ratio: (f32, f32),
    min_boxes: usize,
    tries: usize,
    rng: &mut Rng,
) -> [(Bx, Crop); 2] {
    let mut draw = || {
        let b = draw_box(dims, scale, ratio, rng);
        (b, placed(b, dims, frame))
    };
    let mut pair = [draw(), draw()];
    for _ in 1..tries {
        let held = overlap(&pair[0].1, &pair[1].1).map_or(0, |o| boxes.iter().filter(|bx| contains(&o, bx)).count());
        if held >= min_boxes {
            break;
        }
        pair = [draw(), draw()];
    }
    pair
}

/// `k` boxes inside the overlap of crops `a` and `b`: the given boxes that fit, in random
/// order, then random boxes (a quarter to three quarters of each side) inside the overlap; when
/// the crops do not meet, inside `a`.
pub fn overlap_boxes(a: &Crop, b: &Crop, boxes: &[Box2], k: usize, rng: &mut Rng) -> Vec<Box2> {
    let region = overlap(a, b).unwrap_or_else(|| rect(a));
    let mut fit: Vec<Box2> = boxes.iter().filter(|bx| contains(&region, bx)).copied().collect();
    for i in (1..fit.len()).rev() {
        fit.swap(i, rng.below(i + 1));
    }
    fit.truncate(k);
    while fit.len() < k {
        let (w, h) = (region[2] - region[0], region[3] - region[1]);
        let (bw, bh) = (w * rng.range(0.25, 0.75), h * rng.range(0.25, 0.75));
        let (x0, y0) = (region[0] + rng.range(0.0, w - bw), region[1] + rng.range(0.0, h - bh));
        fit.push([x0, y0, x0 + bw, y0 + bh]);
    }
    fit
}

/// Box `bx` as a crop's `(y, x, h, w)`, at least a thousandth of a pixel on each side.
pub fn extent(bx: &Box2) -> Bx {
    (bx[1], bx[0], (bx[3] - bx[1]).max(1e-3), (bx[2] - bx[0]).max(1e-3))
}

/// Where the view cut from box `bx` sits in the original image.
pub fn placement(bx: &Box2) -> Crop {
    let (y, x, h, w) = extent(bx);
    Crop {
        y,
        x,
        h,
        w,
        flipped: false,
    }
}

/// The box cut out of the original image and resized (bilinear) to `size`×`size`.
pub fn box_crop(img: &Image, bx: &Box2, size: usize) -> (Image, Crop) {
    let (_, _, h, w) = extent(bx);
    let mut out = Image::new(img.c, size, size);
    for c in 0..img.c {
        for oy in 0..size {
            let sy = bx[1] + (oy as f32 + 0.5) * h / size as f32;
            for ox in 0..size {
                let sx = bx[0] + (ox as f32 + 0.5) * w / size as f32;
                out.set(c, oy, ox, img.sample(c, sy, sx));
            }
        }
    }
    (out, placement(bx))
}

/// A segment map of the original image (`h`×`w`, row-major) seen through `crop` at
/// `out_h`×`out_w`, nearest neighbour; columns mirror when the view is flipped.
pub fn segments_of(seg: &[u8], h: usize, w: usize, crop: &Crop, out_h: usize, out_w: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_h * out_w];
    for oy in 0..out_h {
        let sy = crop.y + (oy as f32 + 0.5) * crop.h / out_h as f32;
        let y = (sy.floor().max(0.0) as usize).min(h - 1);
        for ox in 0..out_w {
            let col = if crop.flipped { out_w - 1 - ox } else { ox };
            let sx = crop.x + (col as f32 + 0.5) * crop.w / out_w as f32;
            let x = (sx.floor().max(0.0) as usize).min(w - 1);
            out[oy * out_w + ox] = seg[y * w + x];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_crop_keeps_the_map_and_a_flip_mirrors_it() {
        let seg: Vec<u8> = (0..16).map(|i| (i % 4) as u8).collect();
        let full = Crop {
            y: 0.0,
            x: 0.0,
            h: 4.0,
            w: 4.0,
            flipped: false,
        };
        assert_eq!(segments_of(&seg, 4, 4, &full, 4, 4), seg);
        let flipped = Crop { flipped: true, ..full };
        let m = segments_of(&seg, 4, 4, &flipped, 4, 4);
        assert_eq!(&m[..4], &[3, 2, 1, 0]);
    }

    #[test]
    fn overlap_boxes_lie_in_the_overlap() {
        let a = Crop {
            y: 0.0,
            x: 0.0,
            h: 20.0,
            w: 20.0,
            flipped: false,
        };
        let b = Crop { y: 10.0, x: 5.0, ..a };
        let given = [[6.0, 11.0, 9.0, 15.0], [0.0, 0.0, 4.0, 4.0]];
        let mut rng = Rng::new(2);
        let boxes = overlap_boxes(&a, &b, &given, 3, &mut rng);
        assert_eq!(boxes.len(), 3);
        assert!(boxes.contains(&given[0]) && !boxes.contains(&given[1]));
        let o = overlap(&a, &b).expect("they meet");
        assert!(boxes.iter().all(|bx| contains(&o, bx)));
    }
}
