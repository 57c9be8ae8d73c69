//! The CPU stage of a step: every view pipeline (crops, flips, colour, masks, boxes, segment
//! maps) runs per image, images in parallel, and the values tensor steps read are stacked into
//! batches.

mod op;
mod stack;

use burn::tensor::Device;
use rayon::prelude::*;
use sslc_compiler::plan::{Plan, StepKind};

use crate::augment::boxes::{self, Box2};
use crate::augment::{self, Crop, masks};
use crate::data::{Image, Scene};
use crate::error::RunError;
use crate::rng::Rng;
use crate::val::{SegMap, Val};
use op::ViewOp;

pub use stack::{MEAN, STD, full_images, stack};

/// A per-image value of the CPU stage.
#[derive(Clone, Debug)]
enum Cpu {
    /// One image per view of the slot (several for `view x[n]`), with where each lies.
    Image(Vec<(Image, Crop)>),
    Mask(Vec<bool>),
    Labels(Vec<f32>),
    /// Per view: (Δi, Δj, sh, sw, rflip) of the view's crop in the frame's crop.
    Geometry(Vec<[f32; 5]>),
    Boxes(Vec<Box2>),
    /// Per view: a segment map and its height and width.
    Segments(Vec<SegMap>),
    /// Several results of one op (a crop pair), taken apart by `Part` steps.
    Parts(Vec<Cpu>),
}

/// The view steps of a plan, in order, and the slots that leave the CPU stage.
#[derive(Clone, Debug)]
pub struct ViewStage {
    ops: Vec<(usize, Option<usize>, ViewOp)>,
    /// Slots read by tensor steps.
    pub outputs: Vec<usize>,
    slots: usize,
    /// Views per image of each slot.
    counts: Vec<usize>,
    /// Whether each step runs in this stage.
    pub cpu: Vec<bool>,
}

/// Does step `kind` run in the CPU stage?
pub fn is_view(kind: &StepKind) -> bool {
    matches!(kind, StepKind::Input { .. } | StepKind::View { .. })
}

impl ViewStage {
    pub fn new(plan: &Plan) -> Result<Self, RunError> {
        let mut ops = vec![];
        let mut cpu = vec![false; plan.slots];
        let mut outputs = vec![];
        for s in &plan.steps {
            let cpu_part = matches!(s.kind, StepKind::Part { .. }) && s.inputs.iter().all(|(_, i)| cpu[*i]);
            if !is_view(&s.kind) && !cpu_part {
                for (_, slot) in &s.inputs {
                    if cpu[*slot] && !outputs.contains(slot) {
                        outputs.push(*slot);
                    }
                }
                continue;
            }
            cpu[s.output] = true;
            let (input, op) = ViewOp::from_step(s)?;
            ops.push((s.output, input, op));
        }
        Ok(ViewStage {
            cpu,
            ops,
            outputs,
            slots: plan.slots,
            counts: plan
                .steps
                .iter()
                .map(|s| s.ty.as_ref().map_or(1, |t| t.count() as usize))
                .collect(),
        })
    }

    /// Runs every view of one scene; `rng` is that scene's generator for this epoch. A view
    /// declared with a count (`view local[2]`) draws its first op that many times.
    fn one(&self, scene: &Scene, rng: &mut Rng) -> Result<Vec<Cpu>, RunError> {
        let mut slots: Vec<Option<Cpu>> = vec![None; self.slots];
        // The slot holding the scene's image as given.
        let mut image_slot = None;
        for (out, input, op) in &self.ops {
            let value = match op {
                ViewOp::Image => {
                    image_slot = Some(*out);
                    Cpu::Image(vec![(scene.image.clone(), Crop::full(&scene.image))])
                }
                ViewOp::Labels => Cpu::Labels(scene.labels.clone()),
                ViewOp::RandomMask { grid, ratio, p } => Cpu::Mask(masks::random_mask(*grid, *ratio, *p, rng)),
                ViewOp::BlockMask {
                    grid,
                    count,
                    min_block,
                    aspect,
                } => Cpu::Mask(masks::block_mask(*grid, *count, *min_block, *aspect, rng)),
                ViewOp::PatchMask { grid, ratio, block } => Cpu::Mask(masks::patch_mask(*grid, *ratio, *block, rng)),
                ViewOp::WindowQueries { grid, window } => Cpu::Mask(masks::window_queries(*grid, *window, rng)),
                ViewOp::Boxes => Cpu::Boxes(scene.objects.iter().map(|o| o.bbox).collect()),
                ViewOp::Segments => Cpu::Segments(vec![SegMap {
                    data: scene.segments.clone(),
                    h: scene.image.h,
                    w: scene.image.w,
                }]),
                ViewOp::Part { index } => match input_any(&slots, *input) {
                    Some(Cpu::Parts(parts)) => parts
                        .get(*index)
                        .cloned()
                        .ok_or_else(|| RunError::Internal(format!("no part {index}")))?,
                    _ => return Err(RunError::Internal("a part of a value with no parts".into())),
                },
                ViewOp::CropPair {
                    boxes,
                    size,
                    scale,
                    ratio,
                    min_boxes,
                    tries,
                } => {
                    let (Some(Cpu::Image(src)), Some(Cpu::Boxes(bx))) =
                        (input.and_then(|i| slots[i].as_ref()), slots[*boxes].as_ref())
                    else {
                        return Err(RunError::Internal("crop_pair needs an image and boxes".into()));
                    };
                    let (img, frame) = &src[0];
                    let [a, b] = boxes::crop_pair(img, *frame, bx, *size, *scale, *ratio, *min_boxes, *tries, rng);
                    Cpu::Parts(vec![Cpu::Image(vec![a]), Cpu::Image(vec![b])])
                }
                ViewOp::OverlapBoxes { a, b, boxes: bx, k } => {
                    let (Some(Cpu::Image(va)), Some(Cpu::Image(vb)), Some(Cpu::Boxes(given))) =
                        (slots[*a].as_ref(), slots[*b].as_ref(), slots[*bx].as_ref())
                    else {
                        return Err(RunError::Internal("overlap_boxes needs two views and boxes".into()));
                    };
                    Cpu::Boxes(boxes::overlap_boxes(&va[0].1, &vb[0].1, given, *k, rng))
                }
                ViewOp::BoxCrops { boxes: bx, size } => {
                    let (Some(Cpu::Image(src)), Some(Cpu::Boxes(given))) =
                        (input.and_then(|i| slots[i].as_ref()), slots[*bx].as_ref())
                    else {
                        return Err(RunError::Internal("box_crops needs an image and boxes".into()));
                    };
                    Cpu::Image(given.iter().map(|b| boxes::box_crop(&src[0].0, b, *size)).collect())
                }
                ViewOp::SegmentsOf { view, segments } => {
                    let (Some(Cpu::Image(views)), Some(Cpu::Segments(maps))) =
                        (slots[*view].as_ref(), slots[*segments].as_ref())
                    else {
                        return Err(RunError::Internal("segments_of needs a view and a segment map".into()));
                    };
                    let m = &maps[0];
                    Cpu::Segments(
                        views
                            .iter()
                            .map(|(img, crop)| SegMap {
                                data: boxes::segments_of(&m.data, m.h, m.w, crop, img.h, img.w),
                                h: img.h,
                                w: img.w,
                            })
                            .collect(),
                    )
                }
                ViewOp::Geometry { view, frame } => {
                    let (Some(Cpu::Image(views)), Some(Cpu::Image(frames))) = (&slots[*view], &slots[*frame]) else {
                        return Err(RunError::Internal(
                            "relative_geometry of values that are not views".into(),
                        ));
                    };
                    let frame = frames[0].1;
                    Cpu::Geometry(views.iter().map(|(_, crop)| crop.relative_to(&frame)).collect())
                }
                // A crop of the scene's own image, which keeps its picture as decoded: cut from
                // that, at its aspect ratio, the box recorded in the square's pixels.
                crop @ ViewOp::Crop { .. } if *input == image_slot && scene.source.is_some() => {
                    let Some(picture) = scene.source.as_ref() else {
                        return Err(RunError::Internal("a scene's picture went missing".into()));
                    };
                    let [y, x, h, w] = picture.extent;
                    let frame = Crop {
                        y,
                        x,
                        h,
                        w,
                        flipped: false,
                    };
                    let count = self.counts[*out].max(1);
                    Cpu::Image(
                        (0..count)
                            .map(|_| image_step(crop, &picture.image, frame, rng))
                            .collect(),
                    )
                }
                image_op => {
                    let Some(Cpu::Image(sources)) = input.and_then(|i| slots[i].as_ref()) else {
                        return Err(RunError::Internal(format!("view slot {out} has no image input")));
                    };
                    let count = self.counts[*out].max(1);
                    let sources: Vec<&(Image, Crop)> = if sources.len() == 1 {
                        std::iter::repeat_n(&sources[0], count).collect()
                    } else {
                        sources.iter().collect()
                    };
                    let mut views = Vec::with_capacity(sources.len());
                    for (img, crop) in sources {
                        views.push(image_step(image_op, img, *crop, rng));
                    }
                    Cpu::Image(views)
                }
            };
            slots[*out] = Some(value);
        }
        self.outputs
            .iter()
            .map(|s| {
                slots[*s]
                    .take()
                    .ok_or_else(|| RunError::Internal(format!("view slot {s} was not computed")))
            })
            .collect()
    }

    /// Runs the views of a batch of scenes in parallel; returns one value per output slot.
    pub fn batch(&self, scenes: &[&Scene], rngs: Vec<Rng>, device: &Device) -> Result<Vec<(usize, Val)>, RunError> {
        let per_image: Vec<Vec<Cpu>> = scenes
            .par_iter()
            .zip(rngs.into_par_iter())
            .map(|(scene, mut rng)| self.one(scene, &mut rng))
            .collect::<Result<_, _>>()?;
        (0..self.outputs.len())
            .map(|k| Ok((self.outputs[k], stack::to_val(per_image.iter().map(|v| &v[k]), device)?)))
            .collect()
    }
}

/// The value a step reads, whatever its port.
fn input_any(slots: &[Option<Cpu>], slot: Option<usize>) -> Option<&Cpu> {
    slot.and_then(|i| slots[i].as_ref())
}

/// One image op on one image.
fn image_step(op: &ViewOp, img: &Image, crop: Crop, rng: &mut Rng) -> (Image, Crop) {
    let (mut img, mut crop) = (img.clone(), crop);
    match op {
        ViewOp::Crop { size, scale, ratio } => {
            return augment::random_resized_crop(&img, crop, *size, *scale, *ratio, rng);
        }
        ViewOp::Flip { p } => augment::flip(&mut img, &mut crop, *p, rng),
        ViewOp::Jitter { strength, p } => augment::color_jitter(&mut img, *strength, *p, rng),
        ViewOp::Grayscale { p } => augment::grayscale(&mut img, *p, rng),
        ViewOp::Blur { p, sigma } => augment::blur(&mut img, *p, *sigma, rng),
        ViewOp::Solarize { p, threshold } => augment::solarize(&mut img, *p, *threshold, rng),
        _ => {}
    }
    (img, crop)
}
