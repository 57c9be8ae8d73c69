//! What a recipe declares besides its dataflow: branches and how their weights learn, network
//! architectures, and the `train { }` settings; and the data fields it reads. The graph collects
//! them; the plan carries them to the runtime.

use serde::Serialize;

use crate::registry::Args;
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Schedule};

/// Which of a network's outputs a call takes: its final one, or (a ViT's) inner blocks'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetOutput {
    #[default]
    Final,
    /// The tokens block `n` (1-based) puts out, before the final norm (`block: n`).
    Block(u32),
    /// The mean of the last `k` blocks' outputs, each layer-normalised without affine
    /// parameters (data2vec's target, `average_last: k`).
    AverageLast(u32),
}

impl NetOutput {
    /// From a call's `block` and `average_last` (0: not asked for).
    pub fn of(block: u64, average_last: u64) -> NetOutput {
        match (block, average_last) {
            (0, 0) => NetOutput::Final,
            (0, k) => NetOutput::AverageLast(k as u32),
            (n, _) => NetOutput::Block(n as u32),
        }
    }

    /// How a call shows it, if it is not the final output.
    pub fn shown(self) -> Option<String> {
        match self {
            NetOutput::Final => None,
            NetOutput::Block(n) => Some(format!("block: {n}")),
            NetOutput::AverageLast(k) => Some(format!("average_last: {k}")),
        }
    }
}

/// A field of the data source, as a recipe reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataField {
    Image,
    Labels,
    Boxes,
    Segments,
}

impl DataField {
    pub const ALL: [DataField; 4] = [
        DataField::Image,
        DataField::Boxes,
        DataField::Segments,
        DataField::Labels,
    ];

    /// The field a recipe calls `name`.
    pub fn named(name: &str) -> Option<DataField> {
        DataField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The name a recipe calls it by.
    pub const fn name(self) -> &'static str {
        match self {
            DataField::Image => "image",
            DataField::Labels => "labels",
            DataField::Boxes => "boxes",
            DataField::Segments => "segments",
        }
    }
}

/// How a branch's weights learn.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BranchKind {
    Trainable,
    Frozen,
    Ema { source: String, momentum: Schedule },
}

/// A branch: a set of weights for some networks.
#[derive(Clone, Debug, Serialize)]
pub struct Branch {
    pub name: String,
    #[serde(flatten)]
    pub kind: BranchKind,
    pub nets: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

/// A declared network architecture and the first input it was applied to.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    pub config: Config,
    pub input: Option<Ty>,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub args: Option<Args>,
    #[serde(skip)]
    pub first_use: Option<Span>,
}

/// Settings of the `train { }` block.
#[derive(Clone, Debug, Serialize)]
pub struct Train {
    pub epochs: u64,
    pub seed: u64,
    pub log_every: u64,
    pub probe: Option<Config>,
    /// Across ranks, BatchNorm in training normalises with the whole batch's statistics
    /// (SyncBatchNorm); `false` keeps each rank's own.
    pub sync_batchnorm: bool,
    /// The precision of matrix products in training: "fp32", "bf16-mixed" or "fp16-mixed".
    pub precision: String,
}

impl Default for Train {
    fn default() -> Self {
        Train {
            epochs: 10,
            seed: 0,
            log_every: 10,
            probe: None,
            sync_batchnorm: true,
            precision: "fp32".into(),
        }
    }
}
