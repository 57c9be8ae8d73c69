//! What a recipe declares besides its dataflow: branches and how their weights learn, network
//! architectures, and the `train { }` settings. The graph collects them; the plan carries them
//! to the runtime.

use serde::Serialize;

use crate::registry::Args;
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Schedule};

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
