//! Lowers a checked graph to a plan: only what the losses need, in topological order.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::define::Kind;
use super::{
    Args, DataField, JobKind, Loss, NetKind, Network, Operand, OptimizerKind, Plan, ProbeKind, Slot, SourceKind, Step,
    StepKind, Train,
};
use crate::check::GradTable;
use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};
use crate::registry::Category;
use crate::span::Span;
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
            _ => step_kind(g, ix, &inputs, diags)?,
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
    let at = |key: &str| g.setting_spans.get(key).copied().unwrap_or_default();
    let mut networks = vec![];
    for (name, net) in &g.networks {
        let kind = reported(config::<NetKind>(&net.config), net.span, diags)?;
        networks.push((
            name.clone(),
            Network {
                kind,
                input: net.input.clone(),
                span: net.span,
            },
        ));
    }
    let optimizer = reported(config::<OptimizerKind>(g.optimizer.as_ref()?), at("optimizer"), diags)?;
    let probe_value = g.train.probe.as_ref().and_then(|cfg| {
        let (_, ix) = cfg.tensors.iter().find(|(p, _)| p == "network")?;
        g.g[*ix].name.clone()
    });
    let (probe, probe_steps) = match &g.train.probe {
        None => (None, vec![]),
        Some(cfg) => match cfg.tensors.iter().find(|(p, _)| p == "network") {
            Some((_, value)) => {
                let (steps, slot) = probe_steps(g, *value, diags)?;
                let inputs = [("network".to_string(), slot)];
                let args = Args {
                    inputs: &inputs,
                    params: &cfg.params,
                };
                let kind = decoded::<ProbeKind>(&cfg.builtin, &args)
                    .unwrap_or_else(|| Err(format!("`{}` is not a probe", cfg.builtin)));
                (Some(reported(kind, at("probe"), diags)?), steps)
            }
            None => (Some(reported(config::<ProbeKind>(cfg), at("probe"), diags)?), vec![]),
        },
    };
    let mut jobs = vec![];
    for (name, cfg) in &g.jobs {
        jobs.push((
            name.clone(),
            reported(config::<JobKind>(cfg), at(&format!("job {name}")), diags)?,
        ));
    }
    let source = reported(config::<SourceKind>(g.source.as_ref()?), at("source"), diags)?;
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
            probe_steps,
            probe_value,
        },
        jobs,
        setting_spans: g.setting_spans.clone(),
    })
}

/// The step that computes node `ix` (not a loss) from `inputs`; `None` when it does not decode
/// (reported at the node as a compiler bug).
fn step_kind(g: &Graph, ix: NodeIndex, inputs: &[(String, usize)], diags: &mut Vec<Diag>) -> Option<StepKind> {
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
        NodeKind::Net { branch, net, output } => StepKind::Net {
            branch: branch.clone(),
            net: net.clone(),
            output: *output,
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
            let (a, b) = reported(sides, node.span, diags)?;
            StepKind::Arith { op: (*op).into(), a, b }
        }
    })
}

/// The steps that compute a probe's value, node `value`, from whole images: its making, with
/// the data input and every view op in it replaced by one input step of the whole image (the
/// checker let no other data reach it). Returns the steps and the slot of the value.
fn probe_steps(g: &Graph, value: NodeIndex, diags: &mut Vec<Diag>) -> Option<(Vec<Step>, usize)> {
    let needed = g.ancestors(vec![value]);
    let mut slot_of = BTreeMap::new();
    let mut steps: Vec<Step> = vec![];
    let mut image = None;
    for ix in g.g.node_indices().filter(|ix| needed.contains(ix)) {
        let node = &g.g[ix];
        let view = match &node.kind {
            NodeKind::Input { .. } | NodeKind::Part { .. } => true,
            NodeKind::Op { op, .. } => crate::registry::lookup(op).is_some_and(|b| b.category == Category::View),
            _ => false,
        };
        if view {
            let slot = *image.get_or_insert_with(|| {
                steps.push(Step {
                    kind: StepKind::Input {
                        field: DataField::Image,
                    },
                    inputs: vec![],
                    output: steps.len(),
                    ty: None,
                    grad: false,
                    span: node.span,
                });
                steps.len() - 1
            });
            if let (NodeKind::Input { .. }, Some(step)) = (&node.kind, steps.get_mut(slot)) {
                step.ty = node.ty.clone();
            }
            slot_of.insert(ix, slot);
            continue;
        }
        let mut inputs: Vec<(String, usize)> =
            g.g.edges_directed(ix, Direction::Incoming)
                .filter_map(|e| slot_of.get(&e.source()).map(|s| (e.weight().port.clone(), *s)))
                .collect();
        inputs.sort();
        let kind = step_kind(g, ix, &inputs, diags)?;
        let output = steps.len();
        slot_of.insert(ix, output);
        steps.push(Step {
            kind,
            inputs,
            output,
            ty: node.ty.clone(),
            grad: false,
            span: node.span,
        });
    }
    let slot = *slot_of.get(&value)?;
    Some((steps, slot))
}

/// The decoded value, or `None` with the failure reported at `span` as a compiler bug.
fn reported<T>(decoded: Result<T, String>, span: Span, diags: &mut Vec<Diag>) -> Option<T> {
    decoded.map_err(|what| diags.push(Diag::Internal { what, span })).ok()
}

/// Decodes built-in `name` as a `K`, insisting that every parameter it bound lands in a field;
/// `None` when `name` is not of that kind.
fn decoded<K: Kind>(name: &str, args: &Args) -> Option<Result<K, String>> {
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
    // The first op of a view declared with a count (`view local[2] = ...`) carries that count
    // in the graph; in the plan the step's type holds it (`×2`), which is what the view stage
    // reads.
    let counted = crate::registry::lookup(name).is_some_and(|b| b.category == crate::registry::Category::View);
    let params: Vec<_> = params
        .iter()
        .filter(|(p, _)| !(counted && p == "count"))
        .cloned()
        .collect();
    let args = Args {
        inputs,
        params: &params,
    };
    decoded(name, &args)
        .map(|op| op.map(StepKind::Tensor))
        .or_else(|| decoded(name, &args).map(|op| op.map(StepKind::View)))
        .unwrap_or_else(|| Err(format!("`{name}` is neither a tensor op nor a view op or mask")))
}
