//! View operations as the CPU stage runs them, from the plan's typed view steps (an exhaustive
//! match: a view op the stage does not handle fails to compile).

use sslc_compiler::plan::{DataField, Step, StepKind, ViewOp as Planned};

use crate::error::RunError;

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
        ratio: (f32, f32),
        p: f32,
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
    /// The op a CPU step performs and the slot it transforms (`x`, the first input of a part);
    /// other slots it reads are named by their step index.
    pub(super) fn from_step(s: &Step) -> Result<(Option<usize>, ViewOp), RunError> {
        Ok(match &s.kind {
            StepKind::Part { index } => (s.inputs.first().map(|i| i.1), ViewOp::Part { index: *index }),
            StepKind::Input { field } => (
                None,
                match field {
                    DataField::Boxes => ViewOp::Boxes,
                    DataField::Segments => ViewOp::Segments,
                    DataField::Image => ViewOp::Image,
                    DataField::Labels => ViewOp::Labels,
                },
            ),
            StepKind::View(op) => planned(op),
            other => return Err(RunError::Internal(format!("step {other:?} is not a view step"))),
        })
    }
}

/// The view stage's form of a plan's view op or mask, and the slot it transforms.
fn planned(op: &Planned) -> (Option<usize>, ViewOp) {
    match op {
        Planned::RandomResizedCrop(o) => (
            Some(o.x.0),
            ViewOp::Crop {
                size: o.size,
                scale: fpair(o.scale),
                ratio: fpair(o.ratio),
            },
        ),
        Planned::Flip(o) => (Some(o.x.0), ViewOp::Flip { p: f(o.p) }),
        Planned::ColorJitter(o) => (
            Some(o.x.0),
            ViewOp::Jitter {
                strength: [f(o.brightness), f(o.contrast), f(o.saturation), f(o.hue)],
                p: f(o.p),
            },
        ),
        Planned::Grayscale(o) => (Some(o.x.0), ViewOp::Grayscale { p: f(o.p) }),
        Planned::Blur(o) => (
            Some(o.x.0),
            ViewOp::Blur {
                p: f(o.p),
                sigma: fpair(o.sigma),
            },
        ),
        Planned::Solarize(o) => (
            Some(o.x.0),
            ViewOp::Solarize {
                p: f(o.p),
                threshold: f(o.threshold),
            },
        ),
        Planned::CropPair(o) => (
            Some(o.x.0),
            ViewOp::CropPair {
                boxes: o.boxes.0,
                size: o.size,
                scale: fpair(o.scale),
                ratio: (3.0 / 4.0, 4.0 / 3.0),
                min_boxes: o.min_boxes,
                tries: o.tries,
            },
        ),
        Planned::OverlapBoxes(o) => (
            None,
            ViewOp::OverlapBoxes {
                a: o.a.0,
                b: o.b.0,
                boxes: o.boxes.0,
                k: o.k,
            },
        ),
        Planned::BoxCrops(o) => (
            Some(o.x.0),
            ViewOp::BoxCrops {
                boxes: o.boxes.0,
                size: o.size,
            },
        ),
        Planned::RelativeGeometry(o) => (
            None,
            ViewOp::Geometry {
                view: o.view.0,
                frame: o.frame.0,
            },
        ),
        Planned::SegmentsOf(o) => (
            None,
            ViewOp::SegmentsOf {
                view: o.view.0,
                segments: o.segments.0,
            },
        ),
        Planned::RandomMask(o) => (
            None,
            ViewOp::RandomMask {
                grid: o.grid,
                ratio: fpair(o.ratio),
                p: f(o.p),
            },
        ),
        Planned::BlockMask(o) => (
            None,
            ViewOp::BlockMask {
                grid: o.grid,
                count: o.count,
                min_block: o.min_block,
                aspect: fpair(o.aspect),
            },
        ),
        Planned::PatchMask(o) => (
            None,
            ViewOp::PatchMask {
                grid: o.grid,
                ratio: f(o.ratio),
                block: o.block,
            },
        ),
        Planned::WindowQueries(o) => (
            None,
            ViewOp::WindowQueries {
                grid: o.grid,
                window: o.window,
            },
        ),
    }
}
