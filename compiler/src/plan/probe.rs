//! Lowers what a probe reads: a network, decoded from the configuration, or a value of the
//! recipe, whose making is lowered to steps of its own that start from the whole image.

use std::collections::BTreeMap;

use petgraph::graph::NodeIndex;

use super::step::{config, decoded, inputs_of, reported, step_inputs, step_kind};
use super::{Args, DataField, ProbeKind, Slot, Step, StepKind};
use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};
use crate::registry::Category;
use crate::span::Span;

/// A probe as the plan carries it.
#[derive(Default)]
pub struct Lowered {
    pub kind: Option<ProbeKind>,
    /// The steps that compute a probed value from whole images; none for a network.
    pub steps: Vec<Step>,
    /// The probed value's `let` name, if it has one.
    pub value: Option<String>,
}

/// The recipe's probe; `None` when it does not decode (reported at `at`).
pub fn lower(g: &Graph, at: Span, diags: &mut Vec<Diag>) -> Option<Lowered> {
    let Some(cfg) = &g.train.probe else {
        return Some(Lowered::default());
    };
    let Some((_, value)) = cfg.tensors.iter().find(|(p, _)| p == "network") else {
        return Some(Lowered {
            kind: Some(reported(config::<ProbeKind>(cfg), at, diags)?),
            ..Lowered::default()
        });
    };
    let (steps, slot) = steps(g, *value, diags)?;
    let inputs = [("network".to_string(), slot)];
    let args = Args {
        inputs: &inputs,
        params: &cfg.params,
    };
    let kind =
        decoded::<ProbeKind>(&cfg.builtin, &args).unwrap_or_else(|| Err(format!("`{}` is not a probe", cfg.builtin)));
    Some(Lowered {
        kind: Some(reported(kind, at, diags)?),
        steps,
        value: g.g[*value].name.clone(),
    })
}

/// The steps that compute a probe's value, node `value`, from whole images: its making, with
/// the data input and every view op in it replaced by one input step of the whole image (the
/// checker let no other data reach it). Returns the steps and the slot of the value.
fn steps(g: &Graph, value: NodeIndex, diags: &mut Vec<Diag>) -> Option<(Vec<Step>, usize)> {
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
                    output: Slot(steps.len()),
                    ty: None,
                    grad: false,
                    couples: false,
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
        let inputs = inputs_of(g, ix, &slot_of);
        let kind = step_kind(g, ix, &inputs, diags)?;
        let output = steps.len();
        slot_of.insert(ix, output);
        steps.push(Step {
            kind,
            inputs: step_inputs(&node.kind, &inputs),
            output: Slot(output),
            ty: node.ty.clone(),
            grad: false,
            // A probe runs on every rank's whole probe set: nothing to gather.
            couples: false,
            span: node.span,
        });
    }
    let slot = *slot_of.get(&value)?;
    Some((steps, slot))
}
