//! The CPU stage of a step: every view pipeline (crops, flips, colour, masks, boxes, segment
//! maps) runs per image, images in parallel, and the values tensor steps read are stacked into
//! batches.

mod ops;
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
use ops::Run;

pub use stack::{MEAN, STD, full_images, stack};

/// A per-image value of the CPU stage.
#[derive(Clone, Debug)]
enum Cpu {
    /// One image per view of the slot (several for `view x[n]`), with where each lies.
    Image(Vec<(Image, Crop)>),
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
                of: s.inputs.first().map(|i| i.1),
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
}

impl<'a> At<'a> {
    /// The value in `slot`, if computed.
    fn get(&self, slot: Slot) -> Option<&'a Cpu> {
        self.slots.get(slot.0).and_then(Option::as_ref)
    }

    /// `f` applied to every view of the images in `x`; one image is repeated once per view of
    /// the output (`view local[4]` draws its first op four times).
    fn each_view(
        &mut self,
        x: Slot,
        mut f: impl FnMut(&Image, Crop, &mut Rng) -> (Image, Crop),
    ) -> Result<Cpu, RunError> {
        let Some(Cpu::Image(sources)) = self.slots.get(x.0).and_then(Option::as_ref) else {
            return Err(RunError::Internal(format!("view slot {} holds no image", x.0)));
        };
        let sources: Vec<&(Image, Crop)> = if sources.len() == 1 {
            std::iter::repeat_n(&sources[0], self.count).collect()
        } else {
            sources.iter().collect()
        };
        Ok(Cpu::Image(
            sources.into_iter().map(|(img, crop)| f(img, *crop, self.rng)).collect(),
        ))
    }
}

impl At<'_> {
    /// A mask drawn by `draw` once per view of the output (`mask m[2]` draws two).
    fn each_mask(&mut self, mut draw: impl FnMut(&mut Rng) -> Vec<bool>) -> Cpu {
        Cpu::Mask((0..self.count).map(|_| draw(self.rng)).collect())
    }
}

/// Does step `kind` run in the CPU stage?
pub fn is_view(kind: &StepKind) -> bool {
    matches!(kind, StepKind::Input { .. } | StepKind::View { .. })
}

impl ViewStage {
    pub fn new(plan: &Plan) -> Result<Self, RunError> {
        let mut steps = vec![];
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
            steps.push((s.output, Stage::of(s)?));
        }
        Ok(ViewStage {
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
            .map(|k| Ok((self.outputs[k], stack::to_val(per_image.iter().map(|v| &v[k]), device)?)))
            .collect()
    }
}
