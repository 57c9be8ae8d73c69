//! Lowers a checked graph to a plan: only what the losses need, in topological order.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{Loss, Plan, Step, StepKind};
use crate::check::GradTable;
use crate::graph::{Graph, NodeKind};

/// Lowers `g`; `None` when the graph lacks a source or optimiser (already reported).
pub fn lower(g: &Graph, grads: &GradTable) -> Option<Plan> {
    let live = g.live();
    // Nodes are created after their inputs, so index order is a topological order.
    let order: Vec<_> = g.g.node_indices().collect();
    let mut slot_of = BTreeMap::new();
    let mut steps = vec![];
    let mut losses = vec![];
    for ix in order.into_iter().filter(|ix| live.contains(ix)) {
        let node = &g.g[ix];
        let mut inputs: Vec<(String, usize)> =
            g.g.edges_directed(ix, Direction::Incoming)
                .filter_map(|e| slot_of.get(&e.source()).map(|s| (e.weight().port.clone(), *s)))
                .collect();
        inputs.sort();
        let kind = match &node.kind {
            NodeKind::Loss { name, weight } => {
                let slot = inputs.first().map(|i| i.1)?;
                losses.push(Loss {
                    name: name.clone(),
                    slot,
                    weight: weight.clone(),
                    span: node.span,
                });
                continue;
            }
            NodeKind::Input { field } => StepKind::Input { field: field.clone() },
            NodeKind::Op { op, params } => StepKind::Op {
                op: op.clone(),
                params: params.clone(),
            },
            NodeKind::Part { index } => StepKind::Part { index: *index },
            NodeKind::Net { branch, net } => StepKind::Net {
                branch: branch.clone(),
                net: net.clone(),
            },
            NodeKind::Arith { op, constant, left } => StepKind::Arith {
                op: *op,
                constant: *constant,
                left: *left,
            },
        };
        let output = steps.len();
        slot_of.insert(ix, output);
        steps.push(Step {
            kind,
            inputs,
            output,
            ty: node.ty.clone(),
            grad: grads.needs_grad.contains(&ix),
            span: node.span,
        });
    }
    Some(Plan {
        source: g.source.clone()?,
        batch: g.batch,
        networks: g.networks.iter().map(|(n, net)| (n.clone(), net.clone())).collect(),
        branches: g.branches.clone(),
        slots: steps.len(),
        steps,
        losses,
        optimizer: g.optimizer.clone()?,
        train: g.train.clone(),
        jobs: g.jobs.clone(),
        setting_spans: g.setting_spans.clone(),
    })
}
