//! What a recipe declares besides its dataflow: branches and how their weights learn, network
//! architectures, and the `train { }` settings; and the data fields it reads. The graph collects
//! them; the plan carries them to the runtime.

use serde::Serialize;

use crate::registry::Args;
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Schedule};

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
}

impl Default for Train {
    fn default() -> Self {
        Train {
            epochs: 10,
            seed: 0,
            log_every: 10,
            probe: None,
        }
    }
}
