//! Lowers a checked graph to a plan: only what the losses need, in topological order.

use std::collections::BTreeMap;

use super::step::{config, inputs_of, reported, step_inputs, step_kind};
use super::{JobKind, Loss, NetKind, Network, OptimizerKind, Plan, Slot, SourceKind, Step, Train};
use crate::check::GradTable;
use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};

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
        let inputs = inputs_of(g, ix, &slot_of);
        let kind = match &node.kind {
            NodeKind::Loss { name, weight } => {
                let slot = inputs.first().map(|i| Slot(i.1))?;
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
            inputs: step_inputs(&node.kind, &inputs),
            output: Slot(output),
            ty: node.ty.clone(),
            grad: grads.needs_grad.contains(&ix),
            couples: match &node.kind {
                NodeKind::Op { op, params } => crate::registry::couples_batch(op, params),
                _ => false,
            },
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
    let probe = super::probe::lower(g, at("probe"), diags)?;
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
        views: g.views.as_deref().and_then(super::ViewsOn::named).unwrap_or_default(),
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
            sync_batchnorm: g.train.sync_batchnorm,
            precision: super::Precision::named(&g.train.precision).unwrap_or_default(),
            probe: probe.kind,
            probe_steps: probe.steps,
            probe_value: probe.value,
        },
        jobs,
        setting_spans: g.setting_spans.clone(),
    })
}
