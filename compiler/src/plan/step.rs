//! Decoding what the graph holds into what the plan carries: one node into its step, a
//! configuration into its kind. Lowering the training steps and a probe's steps share it.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::define::Kind;
use super::{Args, BranchId, DataField, Input, NetId, NetPorts, Operand, Slot, StepKind};
use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};
use crate::span::Span;
use crate::value::Config;

/// The (port, slot) pairs of node `ix`'s inputs, ordered by port, from the slots the steps
/// before it wrote.
pub fn inputs_of(g: &Graph, ix: NodeIndex, slot_of: &BTreeMap<NodeIndex, usize>) -> Vec<(String, usize)> {
    let mut inputs: Vec<(String, usize)> =
        g.g.edges_directed(ix, Direction::Incoming)
            .filter_map(|e| slot_of.get(&e.source()).map(|s| (e.weight().port.clone(), *s)))
            .collect();
    inputs.sort();
    inputs
}

/// The step that computes node `ix` (not a loss) from `inputs`; `None` when it does not decode
/// (reported at the node as a compiler bug).
pub fn step_kind(g: &Graph, ix: NodeIndex, inputs: &[(String, usize)], diags: &mut Vec<Diag>) -> Option<StepKind> {
    let node = &g.g[ix];
    Some(match &node.kind {
        NodeKind::Loss { name, .. } => {
            return reported(Err(format!("the loss `{name}` is not a step")), node.span, diags);
        }
        NodeKind::Input { field } => {
            let named = DataField::named(field).ok_or_else(|| format!("`{field}` is not a data field"));
            StepKind::Input {
                field: reported(named, node.span, diags)?,
            }
        }
        NodeKind::Op { op, params } => reported(decode(op, inputs, params), node.span, diags)?,
        NodeKind::Part { index } => StepKind::Part { index: *index },
        NodeKind::Net { branch, net, output } => {
            // Positions in the plan's lists, which keep the graph's orders.
            let branch_id = g.branches.iter().position(|b| &b.name == branch).map(BranchId);
            let net_id = g.networks.keys().position(|n| n == net).map(NetId);
            let ids = branch_id
                .zip(net_id)
                .ok_or_else(|| format!("`{branch}.{net}` is not a declared network of a branch"));
            let port = |name: &str| inputs.iter().find(|(p, _)| p == name).map(|(_, s)| Slot(*s));
            let x = port("x").ok_or_else(|| format!("`{branch}.{net}` is applied to nothing"));
            let (branch, net) = reported(ids, node.span, diags)?;
            StepKind::Net {
                branch,
                net,
                output: *output,
                ports: NetPorts {
                    x: reported(x, node.span, diags)?,
                    mask: port("mask"),
                    context: port("context"),
                },
            }
        }
        NodeKind::Arith { op, constant, left } => {
            let slot = |port: &str| match inputs.iter().find(|(p, _)| p == port) {
                Some((_, s)) => Ok(Operand::Slot(Slot(*s))),
                None => Err(format!("`{op}` has no input `{port}`")),
            };
            // A constant operand: a number, or a schedule read at each step.
            let constant = constant.as_ref().map(|c| match c {
                crate::value::Schedule::Constant { value } => Operand::Constant(*value),
                s => Operand::Schedule(s.clone()),
            });
            let sides = match (constant, left) {
                (Some(c), true) => slot("b").map(|b| (c, b)),
                (Some(c), false) => slot("a").map(|a| (a, c)),
                (None, _) => slot("a").and_then(|a| Ok((a, slot("b")?))),
            };
            let (a, b) = reported(sides, node.span, diags)?;
            StepKind::Arith { op: (*op).into(), a, b }
        }
    })
}

/// The decoded value, or `None` with the failure reported at `span` as a compiler bug.
pub fn reported<T>(decoded: Result<T, String>, span: Span, diags: &mut Vec<Diag>) -> Option<T> {
    decoded.map_err(|what| diags.push(Diag::Internal { what, span })).ok()
}

/// Decodes built-in `name` as a `K`, insisting that every parameter it bound lands in a field;
/// `None` when `name` is not of that kind.
pub fn decoded<K: Kind>(name: &str, args: &Args) -> Option<Result<K, String>> {
    let kind = match K::decode_kind(name, args)? {
        Ok(kind) => kind,
        Err(e) => return Some(Err(format!("`{name}`: {e}"))),
    };
    let kept = kind.shown_params();
    Some(
        match args.params.iter().find(|(p, _)| !kept.iter().any(|(k, _)| k == p)) {
            Some((p, _)) => Err(format!("`{name}` has no field for its parameter `{p}`")),
            None => Ok(kind),
        },
    )
}

/// Decodes a configuration (a network, the data source, the optimiser, the probe, a job) into
/// its kind, insisting that every parameter lands in a field and every field is given.
pub fn config<K: Kind>(cfg: &Config) -> Result<K, String> {
    let args = Args {
        inputs: &[],
        params: &cfg.params,
    };
    decoded(&cfg.builtin, &args).unwrap_or_else(|| Err(format!("`{}` is not a built-in of its kind", cfg.builtin)))
}

/// Decodes a tensor op, loss, view op or mask, insisting that every parameter the node bound
/// lands in a field.
fn decode(
    name: &str,
    inputs: &[(String, usize)],
    params: &[(String, crate::value::Param)],
) -> Result<StepKind, String> {
    // The first op of a view declared with a count (`view local[2] = ...`) draws that many
    // views: its type holds the count (`2×`), which is what the view stage reads.
    let args = Args { inputs, params };
    decoded(name, &args)
        .map(|op| op.map(StepKind::Tensor))
        .or_else(|| decoded(name, &args).map(|op| op.map(StepKind::View)))
        .unwrap_or_else(|| Err(format!("`{name}` is neither a tensor op nor a view op or mask")))
}

/// A step's inputs from its bound `(port, slot)` pairs, marking those its op detaches
/// (`registry::detaches_input`).
pub(super) fn step_inputs(kind: &NodeKind, inputs: &[(String, usize)]) -> Vec<Input> {
    inputs
        .iter()
        .map(|(port, slot)| Input {
            port: port.clone(),
            slot: Slot(*slot),
            detached: matches!(kind, NodeKind::Op { op, .. } if crate::registry::detaches_input(op, port)),
        })
        .collect()
}
