//! Lowers a checked graph to a plan: only what the losses need, in topological order.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::define::Kind;
use super::{
    Args, DataField, JobKind, Loss, NetKind, Network, Operand, OptimizerKind, Plan, ProbeKind, Slot, SourceKind, Step,
    StepKind, TensorOp, Train, ViewOp,
};
use crate::check::GradTable;
use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};
use crate::value::Config;

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
            NodeKind::Input { field } => match DataField::named(field) {
                Some(field) => StepKind::Input { field },
                None => {
                    diags.push(Diag::Internal {
                        what: format!("`{field}` is not a data field"),
                        span: node.span,
                    });
                    return None;
                }
            },
            NodeKind::Op { op, params } => match decode(op, &inputs, params) {
                Ok(kind) => kind,
                Err(what) => {
                    diags.push(Diag::Internal { what, span: node.span });
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
    // A configuration that does not decode is reported at its declaration (or the recipe's
    // start), as a bug of the compiler.
    let mut failed = |what: String, span: crate::span::Span| {
        diags.push(Diag::Internal { what, span });
    };
    let at = |key: &str| g.setting_spans.get(key).copied().unwrap_or_default();
    let mut networks = vec![];
    for (name, net) in &g.networks {
        match config::<NetKind>(&net.config) {
            Ok(kind) => networks.push((
                name.clone(),
                Network {
                    kind,
                    input: net.input.clone(),
                    span: net.span,
                },
            )),
            Err(what) => {
                failed(what, net.span);
                return None;
            }
        }
    }
    let optimizer = match config::<OptimizerKind>(g.optimizer.as_ref()?) {
        Ok(o) => o,
        Err(what) => {
            failed(what, at("optimizer"));
            return None;
        }
    };
    let probe = match g.train.probe.as_ref().map(config::<ProbeKind>).transpose() {
        Ok(p) => p,
        Err(what) => {
            failed(what, at("probe"));
            return None;
        }
    };
    let mut jobs = vec![];
    for (name, cfg) in &g.jobs {
        match config::<JobKind>(cfg) {
            Ok(job) => jobs.push((name.clone(), job)),
            Err(what) => {
                failed(what, at(&format!("job {name}")));
                return None;
            }
        }
    }
    let source = match config::<SourceKind>(g.source.as_ref()?) {
        Ok(s) => s,
        Err(what) => {
            failed(what, at("source"));
            return None;
        }
    };
    Some(Plan {
        source,
        batch: g.batch,
        networks,
        branches: g.branches.clone(),
        slots: steps.len(),
        steps,
        losses,
        optimizer,
        train: Train {
            epochs: g.train.epochs,
            seed: g.train.seed,
            log_every: g.train.log_every,
            probe,
        },
        jobs,
        setting_spans: g.setting_spans.clone(),
    })
}

/// Decodes a configuration (a network, the data source, the optimiser, the probe, a job) into
/// its kind, insisting that every parameter lands in a field and every field is given.
pub fn config<K: Kind>(cfg: &Config) -> Result<K, String> {
    let args = Args {
        inputs: &[],
        params: &cfg.params,
    };
    let kind = K::decode_kind(&cfg.builtin, &args)
        .unwrap_or_else(|| Err(format!("`{}` is not a built-in of its kind", cfg.builtin)))?;
    let kept = kind.shown_params();
    match cfg.params.iter().find(|(p, _)| !kept.iter().any(|(k, _)| k == p)) {
        Some((p, _)) => Err(format!("`{}` has no field for its parameter `{p}`", cfg.builtin)),
        None => Ok(kind),
    }
}

/// Decodes a tensor op, loss, view op or mask, insisting that every parameter the node bound
/// lands in a field.
fn decode(
    name: &str,
    inputs: &[(String, usize)],
    params: &[(String, crate::value::Param)],
) -> Result<StepKind, String> {
    // The first op of a view declared with a count (`view local[2] = ...`) carries that count
    // in the graph; in the plan the step's type holds it (`×2`), which is what the view stage
    // reads.
    let counted = crate::registry::lookup(name).is_some_and(|b| b.category == crate::registry::Category::View);
    let params: Vec<_> = params
        .iter()
        .filter(|(p, _)| !(counted && p == "count"))
        .cloned()
        .collect();
    let params = &params[..];
    let args = Args { inputs, params };
    let (kind, kept) = if let Some(op) = TensorOp::decode(name, &args) {
        let op = op.map_err(|e| format!("`{name}`: {e}"))?;
        let kept = op.shown();
        (StepKind::Tensor(op), kept)
    } else if let Some(op) = ViewOp::decode(name, &args) {
        let op = op.map_err(|e| format!("`{name}`: {e}"))?;
        let kept = op.shown();
        (StepKind::View(op), kept)
    } else {
        return Err(format!("`{name}` is neither a tensor op nor a view op or mask"));
    };
    match params.iter().find(|(p, _)| !kept.iter().any(|(k, _)| k == p)) {
        Some((p, _)) => Err(format!("`{name}` has no field for its parameter `{p}`")),
        None => Ok(kind),
    }
}
