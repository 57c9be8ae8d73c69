//! The plan: an ordered, serialisable list of steps over numbered value slots. It is all the
//! runtime sees of a recipe: no syntax, no graph, only spans to point back for diagnostics.

#[macro_use]
pub(crate) mod define;
#[macro_use]
mod decode;

mod arith;
mod ids;
mod lower;
pub mod nets;
pub mod ops;
mod probe;
mod reach;
pub mod settings;
mod step;
mod text;
pub mod views;

pub use arith::{ArithOp, Operand};
pub use decode::{Args, Field, NetRef, Probed, Slot};
pub use define::Kind;
pub use ids::{BranchId, NetId};
pub use lower::lower;
pub use nets::NetKind;
pub use ops::TensorOp;
pub use reach::Reached;
pub use settings::{JobKind, OptimizerKind, ProbeKind, SourceKind};
pub use step::config;
pub use text::to_text;
pub use views::ViewOp;

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::decls::{Branch, BranchKind, DataField, NetOutput};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Schedule;

/// What one step computes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    Input {
        field: DataField,
    },
    /// A tensor op or loss, decoded.
    Tensor(TensorOp),
    /// A view op or mask, decoded; the CPU view stage runs it.
    View(ViewOp),
    Part {
        index: usize,
    },
    Net {
        branch: BranchId,
        net: NetId,
        /// Which output of the network (final, or a ViT's inner blocks).
        output: NetOutput,
        /// What the network reads: its input, a ViT's mask, a cross-attention's context.
        ports: NetPorts,
    },
    /// Elementwise `a op b`.
    Arith {
        op: ArithOp,
        a: Operand,
        b: Operand,
    },
}

/// One input of a step: the slot it reads, and the parameter it binds (which only the plan's
/// text shows: ops read their inputs through their typed fields, networks through
/// [`NetPorts`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Input {
    pub port: String,
    pub slot: Slot,
    /// Whether the op detaches it (a parameter declared `.detached()`): no gradient flows back
    /// through it, and the runtime cuts it from the autodiff graph before the op runs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub detached: bool,
}

/// The slots a network step reads, by what the network does with them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NetPorts {
    /// What the network is applied to.
    pub x: Slot,
    /// A ViT's mask (`mask:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<Slot>,
    /// A cross-attention predictor's context (`context:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Slot>,
}

/// One step: reads slots, writes one slot.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub kind: StepKind,
    /// What the step reads, ordered by parameter.
    pub inputs: Vec<Input>,
    pub output: Slot,
    pub ty: Option<Ty>,
    /// Whether the value carries gradient to trainable weights.
    pub grad: bool,
    /// Whether the step couples the images of the batch (`registry::couples_batch`): across
    /// ranks it sees every rank's images.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub couples: bool,
    pub span: Span,
}

/// A network of the plan: its architecture decoded, the type of its first input (`None` when
/// no step applies it) and where it was declared.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    pub kind: NetKind,
    pub input: Option<Ty>,
    #[serde(skip)]
    pub span: Span,
}

/// The `train { }` settings, the probe decoded.
#[derive(Clone, Debug, Serialize)]
pub struct Train {
    pub epochs: u64,
    pub seed: u64,
    pub log_every: u64,
    pub probe: Option<ProbeKind>,
    /// Across ranks, BatchNorm uses the whole batch's statistics (the default) or each rank's.
    #[serde(skip_serializing_if = "is_on")]
    pub sync_batchnorm: bool,
    /// The precision of the matrix products, convolutions and attention of a training step.
    #[serde(skip_serializing_if = "Precision::is_fp32")]
    pub precision: Precision,
    /// Where the probe reads a value of the recipe: the steps that compute it from whole images
    /// (every view in its making replaced by the image), on slots of their own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probe_steps: Vec<Step>,
    /// The probed value's name, where the recipe binds it with `let`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_value: Option<String>,
}

/// How a training step computes its matrix products, convolutions and attention; every other
/// op, the master weights and the optimiser's state stay fp32.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    #[default]
    Fp32,
    /// bfloat16 products.
    Bf16Mixed,
    /// float16 products, with a dynamic loss scale that skips steps whose gradients overflow.
    Fp16Mixed,
}

impl Precision {
    /// The setting's word.
    pub fn named(word: &str) -> Option<Precision> {
        Some(match word {
            "fp32" => Precision::Fp32,
            "bf16-mixed" => Precision::Bf16Mixed,
            "fp16-mixed" => Precision::Fp16Mixed,
            _ => return None,
        })
    }

    fn is_fp32(&self) -> bool {
        *self == Precision::Fp32
    }
}

/// Where a run makes its image views (`data.views`): crops, flips, colour, blur and solarize
/// per image on the CPU, or as batched tensor operations on the training device from the same
/// draws. `Auto` is the device on a GPU and the CPU elsewhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewsOn {
    #[default]
    Auto,
    Cpu,
    Device,
}

impl ViewsOn {
    /// The setting's word.
    pub fn named(word: &str) -> Option<ViewsOn> {
        Some(match word {
            "auto" => ViewsOn::Auto,
            "cpu" => ViewsOn::Cpu,
            "device" => ViewsOn::Device,
            _ => return None,
        })
    }

    fn is_auto(&self) -> bool {
        *self == ViewsOn::Auto
    }
}

/// Whether a flag is on: a default the plan's dumps leave out.
fn is_on(flag: &bool) -> bool {
    *flag
}

/// A term of the objective.
#[derive(Clone, Debug, Serialize)]
pub struct Loss {
    pub name: String,
    pub slot: Slot,
    pub weight: Schedule,
    pub span: Span,
}

/// A compiled recipe, ready to execute.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub source: SourceKind,
    pub batch: u64,
    /// Where the image views are made.
    #[serde(skip_serializing_if = "ViewsOn::is_auto")]
    pub views: ViewsOn,
    pub networks: Vec<(String, Network)>,
    pub branches: Vec<Branch>,
    pub steps: Vec<Step>,
    pub losses: Vec<Loss>,
    pub optimizer: OptimizerKind,
    pub train: Train,
    pub jobs: Vec<(String, JobKind)>,
    pub slots: usize,
    /// Where the data source, optimiser, probe and each job (`job NAME`) were written.
    #[serde(skip)]
    pub setting_spans: BTreeMap<String, Span>,
}
