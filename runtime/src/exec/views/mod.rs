//! The CPU stage of a step: every view pipeline (crops, flips, colour, masks, boxes, segment
//! maps) runs per image, images in parallel, and the values tensor steps read are stacked into
//! batches. With views on the device, the image pipelines only draw here; `render` makes their
//! pixels as batched tensor operations on the training device.

mod deferred;
mod ops;
mod render;
mod stack;
#[cfg(test)]
mod tests;

use burn::tensor::Device;
use rayon::prelude::*;
use sslc_compiler::plan::{DataField, Plan, Slot, Step, StepKind, ViewOp};

use crate::augment::Crop;
use crate::augment::boxes::Box2;
use crate::data::{Image, Scene};
use crate::error::RunError;
use crate::rng::Rng;
use crate::val::{SegMap, Val};
use deferred::{Deferred, Photo, Source};
use ops::Run;

pub use stack::{MEAN, STD, full_images, stack};

/// A per-image value of the CPU stage.
#[derive(Clone, Debug)]
enum Cpu {
    /// One image per view of the slot (several for `view x[n]`), with where each lies.
    Image(Vec<(Image, Crop)>),
    /// The same, to be made on the device.
    Deferred(Vec<(Deferred, Crop)>),
    /// One mask per view (several for `mask m[n]`), true where a token is hidden.
    Mask(Vec<Vec<bool>>),
    Labels(Vec<f32>),
    /// Per view: (Δi, Δj, sh, sw, rflip) of the view's crop in the frame's crop.
    Geometry(Vec<[f32; 5]>),
    Boxes(Vec<Box2>),
    /// Per view: a segment map and its height and width.
    Segments(Vec<SegMap>),
    /// Several results of one op (a crop pair), taken apart by `Part` steps.
    Parts(Vec<Cpu>),
}

impl Cpu {
    /// Each view's size in pixels (height, width) and where it lies, made here or on the device;
    /// `None` for a value that is not views.
    fn placed(&self) -> Option<Vec<((usize, usize), Crop)>> {
        match self {
            Cpu::Image(views) => Some(views.iter().map(|(img, crop)| ((img.h, img.w), *crop)).collect()),
            Cpu::Deferred(views) => Some(views.iter().map(|(d, crop)| ((d.size, d.size), *crop)).collect()),
            _ => None,
        }
    }
}

/// The view steps of a plan, in order, and the slots that leave the CPU stage.
#[derive(Clone, Debug)]
pub struct ViewStage {
    steps: Vec<(usize, Stage)>,
    /// Slots read by tensor steps.
    pub outputs: Vec<usize>,
    slots: usize,
    /// Views per image of each slot.
    counts: Vec<usize>,
    /// Whether each step runs in this stage.
    pub cpu: Vec<bool>,
    /// Whether image views are made on the device (this stage only draws them).
    on_device: bool,
}

/// A step of the CPU stage: a field of the scene, a part of a value with parts, or a view op.
#[derive(Clone, Debug)]
enum Stage {
    Input(DataField),
    Part { of: Option<usize>, index: usize },
    Op(ViewOp),
}

impl Stage {
    fn of(s: &Step) -> Result<Stage, RunError> {
        Ok(match &s.kind {
            StepKind::Input { field } => Stage::Input(*field),
            StepKind::Part { index } => Stage::Part {
                of: s.inputs.first().map(|i| i.slot.0),
                index: *index,
            },
            StepKind::View(op) => Stage::Op(op.clone()),
            other => return Err(RunError::Internal(format!("step {other:?} is not a view step"))),
        })
    }
}

/// What a view op sees while one image's views are made: the values computed so far, the scene,
/// the image's generator, how many views its output holds and which slot holds the scene's image
/// as given.
struct At<'a> {
    slots: &'a [Option<Cpu>],
    scene: &'a Scene,
    rng: &'a mut Rng,
    count: usize,
    image_slot: Option<usize>,
    /// Whether crops of the scene's image are deferred to the device.
    on_device: bool,
}

impl<'a> At<'a> {
    /// The value in `slot`, if computed.
    fn get(&self, slot: Slot) -> Option<&'a Cpu> {
        self.slots.get(slot.0).and_then(Option::as_ref)
    }

    /// `f` applied to every view of the images in `x`; one image is repeated once per view of
    /// the output (`view local[4]` draws its first op four times).
    fn each_view(&mut self, x: Slot, f: impl FnMut(&Image, Crop, &mut Rng) -> (Image, Crop)) -> Result<Cpu, RunError> {
        let Some(Cpu::Image(sources)) = self.slots.get(x.0).and_then(Option::as_ref) else {
            return Err(RunError::Internal(format!("view slot {} holds no image", x.0)));
        };
        Ok(Cpu::Image(each(sources, self.count, self.rng, f)))
    }
}

/// `f` applied to every view of `sources`, one source repeated `count` times.
fn each<T>(
    sources: &[(T, Crop)],
    count: usize,
    rng: &mut Rng,
    mut f: impl FnMut(&T, Crop, &mut Rng) -> (T, Crop),
) -> Vec<(T, Crop)> {
    let sources: Vec<&(T, Crop)> = if sources.len() == 1 {
        std::iter::repeat_n(&sources[0], count).collect()
    } else {
        sources.iter().collect()
    };
    sources.into_iter().map(|(v, crop)| f(v, *crop, rng)).collect()
}

impl At<'_> {
    /// `f` applied to every deferred view in `x`, as [`At::each_view`] does to images.
    fn each_deferred(
        &mut self,
        x: Slot,
        f: impl FnMut(&Deferred, Crop, &mut Rng) -> (Deferred, Crop),
    ) -> Result<Cpu, RunError> {
        let Some(Cpu::Deferred(sources)) = self.slots.get(x.0).and_then(Option::as_ref) else {
            return Err(RunError::Internal(format!("view slot {} holds no deferred view", x.0)));
        };
        Ok(Cpu::Deferred(each(sources, self.count, self.rng, f)))
    }

    /// Whether slot `x` holds views made on the device.
    fn deferred(&self, x: Slot) -> bool {
        matches!(self.get(x), Some(Cpu::Deferred(_)))
    }

    /// A photometric op's draws for every view of `x`: on the device, pushed onto each deferred
    /// view; on the CPU, applied to each image.
    fn each_photo(
        &mut self,
        x: Slot,
        draw: impl Fn(usize, usize, &mut Rng) -> Photo,
        apply: impl Fn(&mut Image, &Photo),
    ) -> Result<Cpu, RunError> {
        if self.deferred(x) {
            return self.each_deferred(x, |d, crop, rng| {
                let mut d = d.clone();
                d.photo.push(draw(d.channels, d.size, rng));
                (d, crop)
            });
        }
        self.each_view(x, |img, crop, rng| {
            let photo = draw(img.c, img.w, rng);
            let mut img = img.clone();
            apply(&mut img, &photo);
            (img, crop)
        })
    }

    /// A mask drawn by `draw` once per view of the output (`mask m[2]` draws two).
    fn each_mask(&mut self, mut draw: impl FnMut(&mut Rng) -> Vec<bool>) -> Cpu {
        Cpu::Mask((0..self.count).map(|_| draw(self.rng)).collect())
    }
}

/// Does step `kind` run in the CPU stage?
pub fn is_view(kind: &StepKind) -> bool {
    matches!(kind, StepKind::Input { .. } | StepKind::View { .. })
}

/// The view ops that read only where views lie and their sizes, so read deferred views too.
fn reads_placement(op: &ViewOp) -> bool {
    matches!(
        op,
        ViewOp::RelativeGeometry(_) | ViewOp::SegmentsOf(_) | ViewOp::OverlapBoxes(_)
    )
}

/// The view ops that run on deferred views; a crop of the scene's image starts one.
fn runs_deferred(op: &ViewOp) -> bool {
    matches!(
        op,
        ViewOp::RandomResizedCrop(_)
            | ViewOp::Flip(_)
            | ViewOp::ColorJitter(_)
            | ViewOp::Grayscale(_)
            | ViewOp::Blur(_)
            | ViewOp::Solarize(_)
    )
}

impl ViewStage {
    /// The view stage of `plan`, making image views on the device when `on_device`. A view
    /// pipeline with an op that has no device form is refused then, by name, before any step.
    pub fn on(plan: &Plan, on_device: bool) -> Result<Self, RunError> {
        let mut stage = ViewStage::new(plan)?;
        if !on_device {
            return Ok(stage);
        }
        // Which slots hold deferred views: crops of the scene's image, and what follows them;
        // `whole` those still the scene's image pixel for pixel (flipped, or not), which a
        // crop may cut from.
        let mut deferred = vec![false; plan.slots];
        let mut whole = vec![false; plan.slots];
        let mut image = None;
        for s in &plan.steps {
            match &s.kind {
                StepKind::Input {
                    field: DataField::Image,
                } => {
                    whole[s.output.0] = true;
                    image = Some(s.output);
                }
                StepKind::Part { .. } if s.inputs.iter().any(|i| deferred[i.slot.0]) => deferred[s.output.0] = true,
                StepKind::View(op) => {
                    let crop = matches!(op, ViewOp::RandomResizedCrop(_));
                    let flip = matches!(op, ViewOp::Flip(_));
                    let reads = |of: &[bool]| s.inputs.iter().any(|i| of[i.slot.0]);
                    let (on_whole, on_deferred) = (reads(&whole), reads(&deferred));
                    // A pair of crops, or boxes, cut from the scene's image as given.
                    let cut = match op {
                        ViewOp::CropPair(c) => Some(c.x),
                        ViewOp::BoxCrops(c) => Some(c.x),
                        _ => None,
                    };
                    if cut.is_some() && cut == image {
                        deferred[s.output.0] = true;
                    } else if flip && on_whole {
                        whole[s.output.0] = true;
                        deferred[s.output.0] = true;
                    } else if (crop && on_whole) || (on_deferred && runs_deferred(op) && !crop) {
                        deferred[s.output.0] = true;
                    } else if on_deferred && !reads_placement(op) {
                        return Err(RunError::Unsupported(format!(
                            "`{}` has no form on the device: set `data.views = \"cpu\"` to make this recipe's views on the CPU",
                            op.name()
                        )));
                    }
                }
                _ => {}
            }
        }
        stage.on_device = true;
        Ok(stage)
    }

    pub fn new(plan: &Plan) -> Result<Self, RunError> {
        let mut steps = vec![];
        let mut cpu = vec![false; plan.slots];
        let mut outputs = vec![];
        for s in &plan.steps {
            let cpu_part = matches!(s.kind, StepKind::Part { .. }) && s.inputs.iter().all(|i| cpu[i.slot.0]);
            if !is_view(&s.kind) && !cpu_part {
                for input in &s.inputs {
                    let slot = input.slot.0;
                    if cpu[slot] && !outputs.contains(&slot) {
                        outputs.push(slot);
                    }
                }
                continue;
            }
            cpu[s.output.0] = true;
            steps.push((s.output.0, Stage::of(s)?));
        }
        Ok(ViewStage {
            on_device: false,
            cpu,
            steps,
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
        for (out, step) in &self.steps {
            let value = match step {
                Stage::Input(DataField::Image) => {
                    image_slot = Some(*out);
                    Cpu::Image(vec![(scene.image.clone(), Crop::full(&scene.image))])
                }
                Stage::Input(DataField::Labels) => Cpu::Labels(scene.labels.clone()),
                Stage::Input(DataField::Boxes) => Cpu::Boxes(scene.objects.iter().map(|o| o.bbox).collect()),
                Stage::Input(DataField::Segments) => Cpu::Segments(vec![SegMap {
                    data: scene.segments.clone(),
                    h: scene.image.h,
                    w: scene.image.w,
                }]),
                Stage::Part { of, index } => match of.and_then(|i| slots[i].as_ref()) {
                    Some(Cpu::Parts(parts)) => parts
                        .get(*index)
                        .cloned()
                        .ok_or_else(|| RunError::Internal(format!("no part {index}")))?,
                    _ => return Err(RunError::Internal("a part of a value with no parts".into())),
                },
                Stage::Op(op) => op.run(&mut At {
                    slots: &slots,
                    scene,
                    rng,
                    count: self.counts[*out].max(1),
                    image_slot,
                    on_device: self.on_device,
                })?,
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
            .map(|k| {
                let values = per_image.iter().map(|v| &v[k]);
                let val = match per_image.first().map(|v| &v[k]) {
                    Some(Cpu::Deferred(_)) => Val::Images(render::images(scenes, values, device)?),
                    _ => stack::to_val(values, device)?,
                };
                Ok((self.outputs[k], val))
            })
            .collect()
    }
}
