//! The computation graph (petgraph): nodes are data fields, view ops, masks, network
//! applications, ops, arithmetic and loss terms; edges carry values from producer to consumer.

mod build;
mod dot;
mod eval;
mod provenance;
mod settings;
mod text;
mod yaml;

pub use build::build;
pub use dot::to_dot;
pub use settings::{DATA_KEYS, TRAIN_KEYS};
pub use text::to_text;
pub use yaml::to_yaml;

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use crate::ast::BinOp;
pub use crate::decls::{Branch, BranchKind, NetOutput, Network, Train};
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Param, Schedule};

/// What a node computes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeKind {
    /// A field of the data source (`image`, `boxes`, ...).
    Input { field: String },
    /// A built-in view op, mask, op or loss.
    Op { op: String, params: Vec<(String, Param)> },
    /// The `index`-th result of a built-in that returns several.
    Part { index: usize },
    /// A network of a branch applied to its inputs.
    Net {
        branch: String,
        net: String,
        output: NetOutput,
    },
    /// Elementwise arithmetic; `constant` replaces one operand (the left one when `left`).
    Arith {
        op: BinOp,
        /// A number, or a schedule evaluated at each step.
        #[serde(serialize_with = "crate::value::plain_constant")]
        constant: Option<crate::value::Schedule>,
        left: bool,
    },
    /// A term of the objective. In YAML its name is `term`: the node's own `name` sits beside it.
    Loss {
        #[serde(rename = "term")]
        name: String,
        weight: Schedule,
    },
}

/// A node: what it computes, its type, where it was written, and the name it was given.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    #[serde(flatten)]
    pub kind: NodeKind,
    pub ty: Option<Ty>,
    #[serde(skip)]
    pub span: Span,
    pub name: Option<String>,
}

/// An edge: the parameter of the consumer that the value feeds.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    pub port: String,
}

/// A declared name that the unused-value check looks at.
#[derive(Clone, Debug)]
pub struct Declared {
    pub kind: &'static str,
    pub name: String,
    pub span: Span,
    pub nodes: Vec<NodeIndex>,
}

/// The compiled graph with the tables the plan needs.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub g: DiGraph<Node, Edge>,
    pub networks: BTreeMap<String, Network>,
    pub branches: Vec<Branch>,
    pub source: Option<Config>,
    pub batch: u64,
    /// Where the image views are made: "auto", "cpu" or "device" (`data.views`).
    pub views: Option<String>,
    pub optimizer: Option<Config>,
    pub train: Train,
    pub jobs: Vec<(String, Config)>,
    pub declared: Vec<Declared>,
    /// Where the data source, optimiser, probe and each job (`job NAME`) were written.
    pub setting_spans: BTreeMap<String, Span>,
}

impl Graph {
    pub fn branch(&self, name: &str) -> Option<&Branch> {
        self.branches.iter().find(|b| b.name == name)
    }

    /// Nodes some loss depends on (the losses included).
    pub fn live(&self) -> std::collections::BTreeSet<NodeIndex> {
        self.ancestors(self.losses())
    }

    /// `from` and every node they depend on.
    pub fn ancestors(&self, from: Vec<NodeIndex>) -> std::collections::BTreeSet<NodeIndex> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = from;
        while let Some(ix) = stack.pop() {
            if seen.insert(ix) {
                stack.extend(self.g.neighbors_directed(ix, petgraph::Direction::Incoming));
            }
        }
        seen
    }

    /// Loss nodes in declaration order.
    pub fn losses(&self) -> Vec<NodeIndex> {
        self.g
            .node_indices()
            .filter(|i| matches!(self.g[*i].kind, NodeKind::Loss { .. }))
            .collect()
    }
}
