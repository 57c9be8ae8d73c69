//! The CPU stage of a step: every view pipeline (crops, flips, colour) runs per image, images in
//! parallel, and the views the networks read are stacked into normalised batch tensors.

use burn::tensor::{Device, Tensor, TensorData};
use rayon::prelude::*;
use sslc_compiler::plan::{Plan, StepKind};
use sslc_compiler::registry::{self, Category};

use super::val::{Mask, SegMap, Val};
use crate::augment::boxes::{self, Box2};
use crate::augment::{self, Crop, masks};
use crate::config::{num, of, pair};
use crate::data::{Image, Scene};
use crate::error::RunError;
use crate::rng::Rng;

/// Per-channel normalisation applied when images become tensors.
pub const MEAN: f32 = 0.5;
pub const STD: f32 = 0.25;

/// One executable view operation.
#[derive(Clone, Debug)]
enum ViewOp {
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
    match kind {
        StepKind::Input { .. } => true,
        StepKind::Op { op, .. } => {
            registry::lookup(op).is_some_and(|b| matches!(b.category, Category::View | Category::Mask))
        }
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
        let mut cpu_steps = vec![];
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
            cpu_steps.push(s.output);
            let input = s
                .inputs
                .iter()
                .find(|(p, _)| p == "x")
                .or_else(|| s.inputs.first().filter(|_| cpu_part))
                .map(|(_, slot)| *slot);
            let port = |name: &str| {
                s.inputs
                    .iter()
                    .find(|(p, _)| p == name)
                    .map(|(_, slot)| *slot)
                    .ok_or_else(|| RunError::Internal(format!("step {} has no `{name}`", s.output)))
            };
            let op = match &s.kind {
                StepKind::Part { index } => ViewOp::Part { index: *index },
                StepKind::Input { field } if field == "boxes" => ViewOp::Boxes,
                StepKind::Input { field } if field == "segments" => ViewOp::Segments,
                StepKind::Input { field } if field == "image" => ViewOp::Image,
                StepKind::Input { field } if field == "labels" => ViewOp::Labels,
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
                        "relative_geometry" => {
                            let port = |name: &str| {
                                s.inputs
                                    .iter()
                                    .find(|(p, _)| p == name)
                                    .map(|(_, slot)| *slot)
                                    .ok_or_else(|| RunError::Internal(format!("relative_geometry without `{name}`")))
                            };
                            ViewOp::Geometry {
                                view: port("view")?,
                                frame: port("frame")?,
                            }
                        }
                        other => return Err(RunError::Internal(format!("view `{other}` is not executable"))),
                    }
                }
                other => return Err(RunError::Internal(format!("step {other:?} is not executable"))),
            };
            ops.push((s.output, input, op));
        }
        Ok(ViewStage {
            cpu: (0..plan.slots).map(|i| cpu_steps.contains(&i)).collect(),
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
        for (out, input, op) in &self.ops {
            let value = match op {
                ViewOp::Image => Cpu::Image(vec![(scene.image.clone(), Crop::full(&scene.image))]),
                ViewOp::Labels => Cpu::Labels(scene.labels.clone()),
                ViewOp::RandomMask { grid, ratio } => Cpu::Mask(masks::random_mask(*grid, *ratio, rng)),
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
                    Cpu::Geometry(views.iter().map(|(_, crop)| relative(crop, &frame)).collect())
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
            .map(|k| Ok((self.outputs[k], to_val(per_image.iter().map(|v| &v[k]), device)?)))
            .collect()
    }
}

/// The value a step reads, whatever its port.
fn input_any(slots: &[Option<Cpu>], slot: Option<usize>) -> Option<&Cpu> {
    slot.and_then(|i| slots[i].as_ref())
}

/// Where `view` lies in `frame`'s crop (SiameseIM): offsets and scales in units of the frame's
/// size, and whether exactly one of the two is flipped.
fn relative(view: &Crop, frame: &Crop) -> [f32; 5] {
    [
        (view.y - frame.y) / frame.h,
        (view.x - frame.x) / frame.w,
        view.h / frame.h,
        view.w / frame.w,
        if view.flipped != frame.flipped { 1.0 } else { 0.0 },
    ]
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

/// Stacks one slot's per-image values into a batch value (a scene's views consecutively).
fn to_val<'a>(values: impl Iterator<Item = &'a Cpu> + Clone, device: &Device) -> Result<Val, RunError> {
    let mismatch = || RunError::Internal("one slot holds values of different kinds".into());
    match values.clone().next() {
        Some(Cpu::Image(..)) => {
            let mut images: Vec<&Image> = vec![];
            for v in values {
                let Cpu::Image(views) = v else { return Err(mismatch()) };
                images.extend(views.iter().map(|(img, _)| img));
            }
            Ok(Val::Images(stack(images.into_iter(), device)?))
        }
        Some(Cpu::Labels(first)) => {
            let width = first.len();
            let mut data = vec![];
            let mut n = 0;
            for v in values {
                let Cpu::Labels(l) = v else { return Err(mismatch()) };
                data.extend_from_slice(l);
                n += 1;
            }
            Ok(Val::Vectors(Tensor::from_data(
                TensorData::new(data, [n, width]),
                device,
            )))
        }
        Some(Cpu::Mask(first)) => {
            let tokens = first.len();
            let (mut keep, mut restore, mut masked) = (vec![], vec![], vec![]);
            let mut n = 0;
            let mut kept = None;
            for v in values {
                let Cpu::Mask(m) = v else { return Err(mismatch()) };
                let k: Vec<i64> = (0..tokens).filter(|i| !m[*i]).map(|i| i as i64).collect();
                if *kept.get_or_insert(k.len()) != k.len() {
                    return Err(RunError::Internal("masks of one batch keep different counts".into()));
                }
                let order: Vec<usize> = (0..tokens)
                    .filter(|i| !m[*i])
                    .chain((0..tokens).filter(|i| m[*i]))
                    .collect();
                let mut inverse = vec![0i64; tokens];
                for (pos, token) in order.iter().enumerate() {
                    inverse[*token] = pos as i64;
                }
                keep.extend(k);
                restore.extend(inverse);
                masked.extend(m.iter().map(|b| if *b { 1.0f32 } else { 0.0 }));
                n += 1;
            }
            let kept = kept.unwrap_or(0);
            Ok(Val::Mask(Box::new(Mask {
                keep: Tensor::from_data(TensorData::new(keep, [n, kept]), device),
                restore: Tensor::from_data(TensorData::new(restore, [n, tokens]), device),
                masked: Tensor::from_data(TensorData::new(masked, [n, tokens]), device),
            })))
        }
        Some(Cpu::Segments(_)) => {
            let mut maps = vec![];
            for v in values {
                let Cpu::Segments(m) = v else { return Err(mismatch()) };
                maps.extend(m.iter().cloned());
            }
            Ok(Val::Segments(std::sync::Arc::new(maps)))
        }
        Some(Cpu::Boxes(_)) | Some(Cpu::Parts(_)) => Err(RunError::Internal(
            "boxes and tuples stay in the view stage; no tensor step reads them".into(),
        )),
        Some(Cpu::Geometry(_)) => {
            let mut data: Vec<f32> = vec![];
            for v in values {
                let Cpu::Geometry(g) = v else { return Err(mismatch()) };
                data.extend(g.iter().flatten());
            }
            let n = data.len() / 5;
            Ok(Val::Vectors(Tensor::from_data(TensorData::new(data, [n, 5]), device)))
        }
        None => Err(RunError::Internal("an empty batch".into())),
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
