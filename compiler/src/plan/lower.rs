//! Lowers a checked graph to a plan: only what the losses need, in topological order.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{Args, Loss, Operand, Plan, Slot, Step, StepKind, TensorOp};
use crate::check::GradTable;
use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};
use crate::registry::Category;

/// Lowers `g`; `None` when the graph lacks a source or optimiser (already reported) or an op
/// cannot be decoded (reported here, as a compiler bug).
pub fn lower(g: &Graph, grads: &GradTable, diags: &mut Vec<Diag>) -> Option<Plan> {
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
            NodeKind::Op { op, params } => match decode(op, &inputs, params) {
                Some(Ok(op)) => StepKind::Tensor(op),
                Some(Err(what)) => {
                    diags.push(Diag::Internal { what, span: node.span });
                    return None;
                }
                None if is_view(op) => StepKind::View {
                    op: op.clone(),
                    params: params.clone(),
                },
                None => {
                    diags.push(Diag::Internal {
                        what: format!("`{op}` is neither a tensor op nor a view op or mask"),
                        span: node.span,
                    });
                    return None;
                }
            },
            NodeKind::Part { index } => StepKind::Part { index: *index },
            NodeKind::Net { branch, net } => StepKind::Net {
                branch: branch.clone(),
                net: net.clone(),
            },
            NodeKind::Arith { op, constant, left } => {
                let slot = |port: &str| match inputs.iter().find(|(p, _)| p == port) {
                    Some((_, s)) => Ok(Operand::Slot(Slot(*s))),
                    None => Err(format!("`{op}` has no input `{port}`")),
                };
                let sides = match (constant, left) {
                    (Some(c), true) => slot("b").map(|b| (Operand::Constant(*c), b)),
                    (Some(c), false) => slot("a").map(|a| (a, Operand::Constant(*c))),
                    (None, _) => slot("a").and_then(|a| Ok((a, slot("b")?))),
                };
                match sides {
                    Ok((a, b)) => StepKind::Arith { op: (*op).into(), a, b },
                    Err(what) => {
                        diags.push(Diag::Internal { what, span: node.span });
                        return None;
                    }
                }
            }
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

/// Decodes a tensor op or loss, insisting that every parameter the node bound lands in a field.
fn decode(
    name: &str,
    inputs: &[(String, usize)],
    params: &[(String, crate::value::Param)],
) -> Option<Result<TensorOp, String>> {
    let decoded = TensorOp::decode(name, &Args { inputs, params })?;
    Some(decoded.map_err(|e| format!("`{name}`: {e}")).and_then(|op| {
        let kept = op.shown();
        match params.iter().find(|(p, _)| !kept.iter().any(|(k, _)| k == p)) {
            Some((p, _)) => Err(format!("`{name}` has no field for its parameter `{p}`")),
            None => Ok(op),
        }
    }))
}

/// Whether built-in `name` runs in the view stage.
fn is_view(name: &str) -> bool {
    crate::registry::lookup(name).is_some_and(|b| matches!(b.category, Category::View | Category::Mask))
}
