//! View operations as the CPU stage runs them, read from the plan's steps.

use sslc_compiler::plan::{Step, StepKind};

use crate::config::{num, of, pair};
use crate::error::RunError;

/// View operations and masks this runtime executes.
pub const VIEW_OPS: &[&str] = &[
    "random_resized_crop",
    "flip",
    "color_jitter",
    "grayscale",
    "blur",
    "solarize",
    "random_mask",
    "block_mask",
    "patch_mask",
    "window_queries",
    "relative_geometry",
    "crop_pair",
    "overlap_boxes",
    "box_crops",
    "segments_of",
];

/// One executable view operation.
#[derive(Clone, Debug)]
pub(super) enum ViewOp {
    Image,
    Labels,
    Boxes,
    Segments,
    Part {
        index: usize,
    },
    CropPair {
        boxes: usize,
        size: usize,
        scale: (f32, f32),
        ratio: (f32, f32),
        min_boxes: usize,
        tries: usize,
    },
    OverlapBoxes {
        a: usize,
        b: usize,
        boxes: usize,
        k: usize,
    },
    BoxCrops {
        boxes: usize,
        size: usize,
    },
    SegmentsOf {
        view: usize,
        segments: usize,
    },
    Geometry {
        view: usize,
        frame: usize,
    },
    RandomMask {
        grid: usize,
        ratio: f32,
    },
    BlockMask {
        grid: usize,
        count: usize,
        min_block: usize,
        aspect: (f32, f32),
    },
    PatchMask {
        grid: usize,
        ratio: f32,
        block: usize,
    },
    WindowQueries {
        grid: usize,
        window: usize,
    },
    Crop {
        size: usize,
        scale: (f32, f32),
        ratio: (f32, f32),
    },
    Flip {
        p: f32,
    },
    Jitter {
        strength: [f32; 4],
        p: f32,
    },
    Grayscale {
        p: f32,
    },
    Blur {
        p: f32,
        sigma: (f32, f32),
    },
    Solarize {
        p: f32,
        threshold: f32,
    },
}

fn f(x: f64) -> f32 {
    x as f32
}

fn fpair(p: (f64, f64)) -> (f32, f32) {
    (p.0 as f32, p.1 as f32)
}

impl ViewOp {
    /// The op a CPU step performs; other slots it reads are named by their step index.
    pub(super) fn from_step(s: &Step) -> Result<ViewOp, RunError> {
        let port = |name: &str| {
            s.inputs
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, slot)| *slot)
                .ok_or_else(|| RunError::Internal(format!("step {} has no `{name}`", s.output)))
        };
        Ok(match &s.kind {
            StepKind::Part { index } => ViewOp::Part { index: *index },
            StepKind::Input { field } if field == "boxes" => ViewOp::Boxes,
            StepKind::Input { field } if field == "segments" => ViewOp::Segments,
            StepKind::Input { field } if field == "image" => ViewOp::Image,
            StepKind::Input { field } if field == "labels" => ViewOp::Labels,
            StepKind::View { op, params } => {
                let c = of(op, params);
                match op.as_str() {
                    "random_resized_crop" => ViewOp::Crop {
                        size: num(&c, "size")? as usize,
                        scale: fpair(pair(&c, "scale")?),
                        ratio: fpair(pair(&c, "ratio")?),
                    },
                    "flip" => ViewOp::Flip { p: f(num(&c, "p")?) },
                    "color_jitter" => ViewOp::Jitter {
                        strength: [
                            f(num(&c, "brightness")?),
                            f(num(&c, "contrast")?),
                            f(num(&c, "saturation")?),
                            f(num(&c, "hue")?),
                        ],
                        p: f(num(&c, "p")?),
                    },
                    "grayscale" => ViewOp::Grayscale { p: f(num(&c, "p")?) },
                    "blur" => ViewOp::Blur {
                        p: f(num(&c, "p")?),
                        sigma: fpair(pair(&c, "sigma")?),
                    },
                    "solarize" => ViewOp::Solarize {
                        p: f(num(&c, "p")?),
                        threshold: f(num(&c, "threshold")?),
                    },
                    "random_mask" => ViewOp::RandomMask {
                        grid: num(&c, "grid")? as usize,
                        ratio: f(num(&c, "ratio")?),
                    },
                    "block_mask" => ViewOp::BlockMask {
                        grid: num(&c, "grid")? as usize,
                        count: num(&c, "count")? as usize,
                        min_block: num(&c, "min_block")? as usize,
                        aspect: fpair(pair(&c, "aspect")?),
                    },
                    "patch_mask" => ViewOp::PatchMask {
                        grid: num(&c, "grid")? as usize,
                        ratio: f(num(&c, "ratio")?),
                        block: num(&c, "block")? as usize,
                    },
                    "window_queries" => ViewOp::WindowQueries {
                        grid: num(&c, "grid")? as usize,
                        window: num(&c, "window")? as usize,
                    },
                    "crop_pair" => ViewOp::CropPair {
                        boxes: port("boxes")?,
                        size: num(&c, "size")? as usize,
                        scale: fpair(pair(&c, "scale")?),
                        ratio: (3.0 / 4.0, 4.0 / 3.0),
                        min_boxes: num(&c, "min_boxes")? as usize,
                        tries: num(&c, "tries")? as usize,
                    },
                    "overlap_boxes" => ViewOp::OverlapBoxes {
                        a: port("a")?,
                        b: port("b")?,
                        boxes: port("boxes")?,
                        k: num(&c, "k")? as usize,
                    },
                    "box_crops" => ViewOp::BoxCrops {
                        boxes: port("boxes")?,
                        size: num(&c, "size")? as usize,
                    },
                    "segments_of" => ViewOp::SegmentsOf {
                        view: port("view")?,
                        segments: port("segments")?,
                    },
                    "relative_geometry" => ViewOp::Geometry {
                        view: port("view")?,
                        frame: port("frame")?,
                    },
                    other => return Err(RunError::Internal(format!("view `{other}` is not executable"))),
                }
            }
            other => return Err(RunError::Internal(format!("step {other:?} is not executable"))),
        })
    }
}
