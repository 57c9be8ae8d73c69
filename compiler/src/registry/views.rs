//! View ops: augmentations of images that remember their geometry, and crops of crops.

use super::declare;
use super::rules::{image, mismatch};
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

fn resized(b: &Args) -> Result<Out, Diag> {
    let (c, _, _, n) = image(b, "x", "random_resized_crop")?;
    let s = b.int("size");
    Ok(Out::Tensor(Ty::Image { c, h: s, w: s, n }))
}

fn same_image(b: &Args) -> Result<Out, Diag> {
    image(b, "x", b.builtin)?;
    Ok(Out::Tensor(b.tensor("x")?.0.clone()))
}

fn pair(b: &Args) -> Result<Out, Diag> {
    let (c, _, _, n) = image(b, "x", "crop_pair")?;
    if n != 1 {
        return Err(mismatch(b, "x", "crop_pair", "one image per sample"));
    }
    boxes(b, "boxes")?;
    let s = b.int("size");
    let t = Ty::Image { c, h: s, w: s, n: 1 };
    Ok(Out::Tensors(vec![t.clone(), t]))
}

fn boxes(b: &Args, arg: &str) -> Result<u64, Diag> {
    match b.tensor(arg)?.0 {
        Ty::Boxes { k } => Ok(*k),
        _ => Err(mismatch(b, arg, b.builtin, "boxes")),
    }
}

fn overlap(b: &Args) -> Result<Out, Diag> {
    image(b, "a", "overlap_boxes")?;
    image(b, "b", "overlap_boxes")?;
    boxes(b, "boxes")?;
    Ok(Out::Tensor(Ty::Boxes { k: b.int("k") }))
}

fn box_crops(b: &Args) -> Result<Out, Diag> {
    let (c, _, _, _) = image(b, "x", "box_crops")?;
    let k = boxes(b, "boxes")?;
    let s = b.int("size");
    Ok(Out::Tensor(Ty::Image { c, h: s, w: s, n: k }))
}

fn geometry(b: &Args) -> Result<Out, Diag> {
    image(b, "view", "relative_geometry")?;
    image(b, "frame", "relative_geometry")?;
    Ok(Out::Tensor(Ty::Geometry))
}

fn segments(b: &Args) -> Result<Out, Diag> {
    let (_, h, w, _) = image(b, "view", "segments_of")?;
    match b.tensor("segments")?.0 {
        Ty::Segments { .. } => Ok(Out::Tensor(Ty::Segments { h, w })),
        _ => Err(mismatch(b, "segments", "segments_of", "a segment map")),
    }
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "random_resized_crop",
        category: Category::View,
        doc: "Crops a random box of `scale` × the area and aspect ratio in `ratio`, resized to \
              `size`. Records the box, so later crops, boxes and segment maps follow it. Applied \
              to a view, it crops that view's crop (crop-of-crop).",
        params: declare::RandomResizedCrop,
        variadic: None,
        rule: resized,
        call: None,
        example: "view v1 = image |> random_resized_crop(size: 32, scale: (0.2, 1.0))",
    },
    Builtin {
        name: "flip",
        category: Category::View,
        doc: "Horizontal flip with probability `p`; recorded in the view's geometry.",
        params: declare::Flip,
        variadic: None,
        rule: same_image,
        call: None,
        example: "view v1 = image |> random_resized_crop(size: 32) |> flip(p: 0.5)",
    },
    Builtin {
        name: "color_jitter",
        category: Category::View,
        doc: "Random brightness, contrast, saturation and hue changes, in random order, applied \
              with probability `p`.",
        params: declare::ColorJitter,
        variadic: None,
        rule: same_image,
        call: None,
        example: "view v1 = image |> random_resized_crop(size: 32) |> color_jitter(p: 0.8)",
    },
    Builtin {
        name: "grayscale",
        category: Category::View,
        doc: "Converts to grey (kept as 3 channels) with probability `p`.",
        params: declare::Grayscale,
        variadic: None,
        rule: same_image,
        call: None,
        example: "view v1 = image |> random_resized_crop(size: 32) |> grayscale(p: 0.2)",
    },
    Builtin {
        name: "blur",
        category: Category::View,
        doc: "Gaussian blur with a standard deviation drawn from `sigma` (in pixels at 224 px, \
              scaled to the image size), with probability `p`.",
        params: declare::Blur,
        variadic: None,
        rule: same_image,
        call: None,
        example: "view v1 = image |> random_resized_crop(size: 32) |> blur(p: 1.0)",
    },
    Builtin {
        name: "solarize",
        category: Category::View,
        doc: "Inverts pixels above `threshold` with probability `p`.",
        params: declare::Solarize,
        variadic: None,
        rule: same_image,
        call: None,
        example: "view v2 = image |> random_resized_crop(size: 32) |> solarize(p: 0.2)",
    },
    Builtin {
        name: "crop_pair",
        category: Category::View,
        doc: "Two random resized crops of one image, resampled up to `tries` times until their \
              overlap holds at least `min_boxes` of the image's boxes (UniVIP); if it never does, \
              the last pair is kept and `overlap_boxes` falls back to random boxes in the overlap.",
        params: declare::CropPair,
        variadic: None,
        rule: pair,
        call: None,
        example: "view s1, s2 = crop_pair(image, boxes: boxes, size: 32, min_boxes: 2)",
    },
    Builtin {
        name: "overlap_boxes",
        category: Category::View,
        doc: "K boxes (in original-image pixels) inside the overlap of views `a` and `b`, taken \
              from `boxes`, filled with random boxes inside the overlap when too few fit.",
        params: declare::OverlapBoxes,
        variadic: None,
        rule: overlap,
        call: None,
        example: "let inst_boxes = overlap_boxes(s1, s2, boxes, k: 4)",
    },
    Builtin {
        name: "box_crops",
        category: Category::View,
        doc: "Crops each of K boxes out of the image at pixel level and resizes it to `size`; \
              gives K views per image.",
        params: declare::BoxCrops,
        variadic: None,
        rule: box_crops,
        call: None,
        example: "view inst = box_crops(image, boxes: inst_boxes, size: 16)",
    },
    Builtin {
        name: "relative_geometry",
        category: Category::View,
        doc: "Where `view` lies in `frame`'s crop: offsets Δi = (i₂−i₁)/h₁, Δj = (j₂−j₁)/w₁, \
              scales h₂/h₁, w₂/w₁ and the relative flip (SiameseIM).",
        params: declare::RelativeGeometry,
        variadic: None,
        rule: geometry,
        call: None,
        example: "let g = relative_geometry(v2, v1)",
    },
    Builtin {
        name: "segments_of",
        category: Category::View,
        doc: "The image's segment map carried through the view's geometric transform (nearest \
              neighbour), at the view's resolution.",
        params: declare::SegmentsOf,
        variadic: None,
        rule: segments,
        call: None,
        example: "let seg1 = segments_of(v1, segments)",
    },
];
