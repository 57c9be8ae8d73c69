//! `view_ops!`: every view op and mask of the language, declared once.

/// Calls `$then! { "name" module Struct { field: Type = parameter, ... }, ... }` with every view
/// op and mask of the language, as [`tensor_ops!`](crate::tensor_ops) does with the tensor ops.
/// A field of type `Slot` is an input (`x`, the image a pipeline step transforms). Adding a view
/// op adds one entry here, its registry entry (documentation, shape rule, example) and its
/// runtime file.
#[macro_export]
macro_rules! view_ops {
    ($then:ident) => {
        $then! {
            ViewOp, "A view op or mask of the plan, decoded.";
            "random_resized_crop" random_resized_crop RandomResizedCrop {
                x: Slot = VIEW_X,
                size: usize = arg(PTy::Int, "output side in pixels").within(Limit::AtLeast1),
                scale: (f64, f64) = arg_or(
                    PTy::Pair,
                    "(0.08, 1.0)",
                    "range of the crop's area as a fraction of the source",
                )
                .within(Limit::Between(0.0, 1.0)),
                ratio: (f64, f64) = arg_or(PTy::Pair, "(0.75, 1.3333)", "range of the aspect ratio")
                    .within(Limit::Positive),
            },
            "flip" flip Flip { x: Slot = VIEW_X, p: f64 = prob("0.5") },
            "color_jitter" color_jitter ColorJitter {
                x: Slot = VIEW_X,
                brightness: f64 = arg_or(PTy::Num, "0.4", "max relative brightness change")
                    .within(Limit::NonNeg),
                contrast: f64 = arg_or(PTy::Num, "0.4", "max relative contrast change").within(Limit::NonNeg),
                saturation: f64 = arg_or(PTy::Num, "0.2", "max relative saturation change")
                    .within(Limit::NonNeg),
                hue: f64 = arg_or(PTy::Num, "0.1", "max hue shift, in turns")
                    .within(Limit::Between(0.0, 0.5)),
                p: f64 = prob("0.8"),
            },
            "grayscale" grayscale Grayscale { x: Slot = VIEW_X, p: f64 = prob("0.2") },
            "blur" blur Blur {
                x: Slot = VIEW_X,
                p: f64 = prob("0.5"),
                sigma: (f64, f64) = arg_or(PTy::Pair, "(0.1, 2.0)", "range of the blur's standard deviation")
                    .within(Limit::Positive),
            },
            "solarize" solarize Solarize {
                x: Slot = VIEW_X,
                p: f64 = prob("0.2"),
                threshold: f64 = arg_or(PTy::Num, "0.5", "intensity above which pixels invert")
                    .within(Limit::Prob),
            },
            "crop_pair" crop_pair CropPair {
                x: Slot = VIEW_X,
                boxes: Slot = arg(PTy::Tensor, "the image's boxes"),
                size: usize = arg(PTy::Int, "output side of both crops").within(Limit::AtLeast1),
                scale: (f64, f64) = arg_or(PTy::Pair, "(0.08, 1.0)", "range of each crop's area")
                    .within(Limit::Between(0.0, 1.0)),
                min_boxes: usize = arg_or(PTy::Int, "4", "boxes the overlap must contain")
                    .within(Limit::AtLeast1),
                tries: usize = arg_or(PTy::Int, "20", "attempts before falling back").within(Limit::AtLeast1),
            },
            "overlap_boxes" overlap_boxes OverlapBoxes {
                a: Slot = arg(PTy::Tensor, "first view"),
                b: Slot = arg(PTy::Tensor, "second view"),
                boxes: Slot = arg(PTy::Tensor, "candidate boxes"),
                k: usize = arg(PTy::Int, "number of boxes").within(Limit::AtLeast1),
            },
            "box_crops" box_crops BoxCrops {
                x: Slot = VIEW_X,
                boxes: Slot = arg(PTy::Tensor, "the boxes to crop"),
                size: usize = arg(PTy::Int, "output side").within(Limit::AtLeast1),
            },
            "relative_geometry" relative_geometry RelativeGeometry {
                view: Slot = arg(PTy::Tensor, "the crop to locate"),
                frame: Slot = arg(PTy::Tensor, "the reference crop"),
            },
            "segments_of" segments_of SegmentsOf {
                view: Slot = arg(PTy::Tensor, "the view"),
                segments: Slot = arg(PTy::Tensor, "the image's segment map"),
            },
            "random_mask" random_mask RandomMask {
                grid: usize = GRID,
                ratio: (f64, f64) = arg(
                    PTy::NumOrPair,
                    "fraction of tokens masked, or a range to draw it from per image",
                )
                .within(Limit::Prob),
                p: f64 = arg_or(PTy::Num, "1", "probability that an image is masked at all")
                    .within(Limit::Prob),
            },
            "block_mask" block_mask BlockMask {
                grid: usize = GRID,
                count: usize = arg_or(PTy::Int, "0", "exact number of masked tokens (or give `ratio`)")
                    .within(Limit::NonNeg),
                ratio: (f64, f64) = arg_or(
                    PTy::NumOrPair,
                    "0",
                    "share of tokens masked, or a range to draw it from per image (instead of `count`)",
                )
                .within(Limit::Prob),
                p: f64 = arg_or(PTy::Num, "1", "probability that an image is masked at all")
                    .within(Limit::Prob),
                min_block: usize = arg_or(PTy::Int, "16", "smallest block in tokens").within(Limit::AtLeast1),
                aspect: (f64, f64) = arg_or(PTy::Pair, "(0.3, 3.3)", "range of block aspect ratios")
                    .within(Limit::Positive),
                inverse: bool = arg_or(PTy::Bool, "false", "keep the blocks visible and mask everything else"),
            },
            "patch_mask" patch_mask PatchMask {
                grid: usize = GRID,
                ratio: f64 = arg_or(PTy::Num, "0.6", "fraction of squares masked").within(Limit::Prob),
                block: usize = arg_or(PTy::Int, "1", "side of a masked square in tokens")
                    .within(Limit::AtLeast1),
            },
            "window_queries" window_queries WindowQueries {
                grid: usize = GRID,
                window: usize = arg(PTy::Int, "window side in tokens").within(Limit::AtLeast1),
            },
        }
    };
}
