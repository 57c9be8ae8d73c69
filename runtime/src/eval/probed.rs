//! What a recipe's probe reads: a network of a branch, or a value of the recipe computed from
//! whole images by the probe's own steps (`Train::probe_steps`).

use sslc_compiler::plan::{Plan, ProbeKind, Probed, StepKind};
use sslc_compiler::types::Ty;

use crate::error::RunError;
use crate::exec::Program;
use crate::weights::Weights;

/// The probe's target.
pub enum Target {
    Net { branch: String, net: String },
    Value(Box<ValueProbe>),
}

/// How the recipe names a probed value: its `let` name, or none.
fn value_name(plan: &Plan) -> String {
    match &plan.train.probe_value {
        Some(name) => format!("`{name}`"),
        None => "the probed value".into(),
    }
}

/// A value of the recipe and the steps that compute it from a batch of whole images.
pub struct ValueProbe {
    /// `` `z` `` for `let z = ...`.
    pub name: String,
    pub program: Program,
    /// The slot the images go in.
    pub image: usize,
    /// The slot of the value.
    pub slot: usize,
    /// Whether the value is tokens led by a class token, which then stands for the image.
    pub cls: bool,
}

impl Target {
    /// What `plan`'s probe reads.
    pub fn new(plan: &Plan, probe: &ProbeKind) -> Result<Target, RunError> {
        let ProbeKind::Knn(k) = probe;
        let slot = match &k.network {
            Probed::Net(n) => {
                return Ok(Target::Net {
                    branch: n.branch.clone(),
                    net: n.net.clone(),
                });
            }
            Probed::Value(slot) => slot.0,
        };
        let steps = &plan.train.probe_steps;
        let image = steps
            .iter()
            .find(|s| matches!(s.kind, StepKind::Input { .. }))
            .map(|s| s.output.0)
            .ok_or_else(|| RunError::Internal("a probe's steps without the image".into()))?;
        let cls = matches!(
            steps.get(slot).and_then(|s| s.ty.as_ref()),
            Some(Ty::Tokens { cls: true, .. })
        );
        let mut own = plan.clone();
        own.steps = steps.clone();
        own.slots = steps.len();
        own.losses = vec![];
        Ok(Target::Value(Box::new(ValueProbe {
            name: value_name(plan),
            program: Program::new(&own)?,
            image,
            slot,
            cls,
        })))
    }

    /// How reports name it: `online.backbone`, or the probed value's name.
    pub fn name(&self) -> String {
        match self {
            Target::Net { branch, net } => format!("{branch}.{net}"),
            Target::Value(v) => v.name.clone(),
        }
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name())
    }
}

impl ValueProbe {
    /// The value on a batch of whole images `[b, c, h, w]`, evaluated (running statistics where
    /// kept, no autodiff).
    pub fn on(&self, weights: &Weights, images: burn::tensor::Tensor<4>) -> Result<crate::val::Val, RunError> {
        let b = images.dims()[0];
        let ctx = crate::exec::ops::Ctx {
            epoch: 0.0,
            total: 1.0,
            pass: crate::nets::Pass::Infer,
        };
        let views = vec![(self.image, crate::val::Val::Images(images))];
        self.program.value(weights, views, b, ctx, self.slot)
    }
}
