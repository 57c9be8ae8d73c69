//! The plan's view ops and masks, which the runtime's CPU view stage runs: one struct each,
//! holding its input slots and its parameters with their types. The list in `view_ops!` is the
//! one place that names them: the compiler expands it into the structs and the `ViewOp` enum,
//! and the runtime into one module per op and an exhaustive dispatch, so a view op the stage
//! lacks fails to compile.

use serde::Serialize;

use super::decode::{Args, Field, Slot};
use crate::value::Param;

/// Calls `$then! { "name" module Struct { field: Type, ... }, ... }` with every view op and mask
/// of the language. A field of type `Slot` is an input (`x`, the image a pipeline step
/// transforms); the others are parameters, named as in the recipe. Adding a view op adds one
/// line here, its registry entry and its runtime file.
#[macro_export]
macro_rules! view_ops {
    ($then:ident) => {
        $then! {
            ViewOp, "A view op or mask of the plan, decoded.";
            "random_resized_crop" random_resized_crop RandomResizedCrop { x: Slot, size: usize, scale: (f64, f64), ratio: (f64, f64) },
            "flip" flip Flip { x: Slot, p: f64 },
            "color_jitter" color_jitter ColorJitter { x: Slot, brightness: f64, contrast: f64, saturation: f64, hue: f64, p: f64 },
            "grayscale" grayscale Grayscale { x: Slot, p: f64 },
            "blur" blur Blur { x: Slot, p: f64, sigma: (f64, f64) },
            "solarize" solarize Solarize { x: Slot, p: f64, threshold: f64 },
            "crop_pair" crop_pair CropPair { x: Slot, boxes: Slot, size: usize, scale: (f64, f64), min_boxes: usize, tries: usize },
            "overlap_boxes" overlap_boxes OverlapBoxes { a: Slot, b: Slot, boxes: Slot, k: usize },
            "box_crops" box_crops BoxCrops { x: Slot, boxes: Slot, size: usize },
            "relative_geometry" relative_geometry RelativeGeometry { view: Slot, frame: Slot },
            "segments_of" segments_of SegmentsOf { view: Slot, segments: Slot },
            "random_mask" random_mask RandomMask { grid: usize, ratio: (f64, f64), p: f64 },
            "block_mask" block_mask BlockMask { grid: usize, count: usize, ratio: (f64, f64), p: f64, min_block: usize, aspect: (f64, f64), inverse: bool },
            "patch_mask" patch_mask PatchMask { grid: usize, ratio: f64, block: usize },
            "window_queries" window_queries WindowQueries { grid: usize, window: usize },
        }
    };
}

view_ops!(define_ops);
