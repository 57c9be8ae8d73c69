//! The CPU stage of a step: every view pipeline (crops, flips, colour) runs per image, images in
//! parallel, and the views the networks read are stacked into normalised batch tensors.

use burn::tensor::{Device, Tensor, TensorData};
use rayon::prelude::*;
use sslc_compiler::plan::{Plan, StepKind};
use sslc_compiler::registry::{self, Category};

use crate::augment::{self, Crop};
use crate::config::{num, of, pair};
use crate::data::Image;
use crate::error::RunError;
use crate::rng::Rng;

/// Per-channel normalisation applied when images become tensors.
pub const MEAN: f32 = 0.5;
pub const STD: f32 = 0.25;

/// One executable view operation.
#[derive(Clone, Debug)]
enum ViewOp {
    Image,
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

/// View operations this runtime executes.
pub const VIEW_OPS: &[&str] = &[
    "random_resized_crop",
    "flip",
    "color_jitter",
    "grayscale",
    "blur",
    "solarize",
];

/// The view steps of a plan, in order, and the slots that leave the CPU stage.
#[derive(Clone, Debug)]
pub struct ViewStage {
    ops: Vec<(usize, Option<usize>, ViewOp)>,
    /// Slots read by tensor steps.
    pub outputs: Vec<usize>,
    slots: usize,
}

/// Does step `kind` run in the CPU stage?
pub fn is_view(kind: &StepKind) -> bool {
    match kind {
        StepKind::Input { .. } => true,
        StepKind::Op { op, .. } => registry::lookup(op).is_some_and(|b| b.category == Category::View),
        _ => false,
    }
}

fn f(x: f64) -> f32 {
    x as f32
}

fn fpair(p: (f64, f64)) -> (f32, f32) {
    (p.0 as f32, p.1 as f32)
}

impl ViewStage {
    pub fn new(plan: &Plan) -> Result<Self, RunError> {
        let mut ops = vec![];
        let mut cpu = vec![false; plan.slots];
        let mut outputs = vec![];
        for s in &plan.steps {
            if !is_view(&s.kind) {
                for (_, slot) in &s.inputs {
                    if cpu[*slot] && !outputs.contains(slot) {
                        outputs.push(*slot);
                    }
                }
                continue;
            }
            cpu[s.output] = true;
            let input = s.inputs.iter().find(|(p, _)| p == "x").map(|(_, slot)| *slot);
            let op = match &s.kind {
                StepKind::Input { field } if field == "image" => ViewOp::Image,
                StepKind::Op { op, params } => {
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
                        other => return Err(RunError::Internal(format!("view `{other}` is not executable"))),
                    }
                }
                other => return Err(RunError::Internal(format!("step {other:?} is not executable"))),
            };
            ops.push((s.output, input, op));
        }
        Ok(ViewStage {
            ops,
            outputs,
            slots: plan.slots,
        })
    }

    /// Runs every view of one image; `rng` is that image's generator for this epoch.
    pub fn one(&self, image: &Image, rng: &mut Rng) -> Result<Vec<Image>, RunError> {
        let mut slots: Vec<Option<(Image, Crop)>> = vec![None; self.slots];
        for (out, input, op) in &self.ops {
            let source = || -> Result<(Image, Crop), RunError> {
                input
                    .and_then(|i| slots[i].clone())
                    .ok_or_else(|| RunError::Internal(format!("view slot {out} has no input")))
            };
            let value = match op {
                ViewOp::Image => (image.clone(), Crop::full(image)),
                ViewOp::Crop { size, scale, ratio } => {
                    let (img, frame) = source()?;
                    augment::random_resized_crop(&img, frame, *size, *scale, *ratio, rng)
                }
                ViewOp::Flip { p } => {
                    let (mut img, mut crop) = source()?;
                    augment::flip(&mut img, &mut crop, *p, rng);
                    (img, crop)
                }
                ViewOp::Jitter { strength, p } => {
                    let (mut img, crop) = source()?;
                    augment::color_jitter(&mut img, *strength, *p, rng);
                    (img, crop)
                }
                ViewOp::Grayscale { p } => {
                    let (mut img, crop) = source()?;
                    augment::grayscale(&mut img, *p, rng);
                    (img, crop)
                }
                ViewOp::Blur { p, sigma } => {
                    let (mut img, crop) = source()?;
                    augment::blur(&mut img, *p, *sigma, rng);
                    (img, crop)
                }
                ViewOp::Solarize { p, threshold } => {
                    let (mut img, crop) = source()?;
                    augment::solarize(&mut img, *p, *threshold, rng);
                    (img, crop)
                }
            };
            slots[*out] = Some(value);
        }
        self.outputs
            .iter()
            .map(|s| {
                slots[*s]
                    .take()
                    .map(|(img, _)| img)
                    .ok_or_else(|| RunError::Internal(format!("view slot {s} was not computed")))
            })
            .collect()
    }

    /// Runs the views of a batch in parallel; returns one tensor per output slot.
    pub fn batch(
        &self,
        images: &[&Image],
        rngs: Vec<Rng>,
        device: &Device,
    ) -> Result<Vec<(usize, Tensor<4>)>, RunError> {
        let per_image: Vec<Vec<Image>> = images
            .par_iter()
            .zip(rngs.into_par_iter())
            .map(|(img, mut rng)| self.one(img, &mut rng))
            .collect::<Result<_, _>>()?;
        (0..self.outputs.len())
            .map(|k| Ok((self.outputs[k], stack(per_image.iter().map(|v| &v[k]), device)?)))
            .collect()
    }
}

/// Stacks same-sized images into a normalised `[batch, c, h, w]` tensor.
pub fn stack<'a>(images: impl Iterator<Item = &'a Image>, device: &Device) -> Result<Tensor<4>, RunError> {
    let mut data = vec![];
    let mut dims = None;
    let mut n = 0;
    for img in images {
        let d = (img.c, img.h, img.w);
        if *dims.get_or_insert(d) != d {
            return Err(RunError::Internal("images of one view differ in size".into()));
        }
        data.extend(img.data.iter().map(|v| (v - MEAN) / STD));
        n += 1;
    }
    let (c, h, w) = dims.unwrap_or((3, 1, 1));
    Ok(Tensor::from_data(TensorData::new(data, [n, c, h, w]), device))
}
