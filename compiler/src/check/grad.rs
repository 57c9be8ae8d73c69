//! Where gradients may flow: a loss must reach trainable weights, and must not reach EMA
//! weights, except through a stop-gradient.

use std::collections::BTreeSet;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::diag::Diag;
use crate::graph::{BranchKind, Graph, NodeKind};
use crate::registry::{detaches_input, stops_gradient};

/// Nodes whose value carries gradient to trainable weights, and those a loss's gradient
/// reaches.
#[derive(Clone, Debug, Default)]
pub struct GradTable {
    pub needs_grad: BTreeSet<NodeIndex>,
    /// Reached from some loss backwards without passing a stop-gradient or a detached input
    /// (the gradient arrives there if the value also `needs_grad`).
    pub reached: BTreeSet<NodeIndex>,
}

fn cuts(g: &Graph, ix: NodeIndex) -> bool {
    matches!(&g.g[ix].kind, NodeKind::Op { op, .. } if stops_gradient(op))
}

/// The inputs of `ix` that gradient flows back into: all, but those the op detaches itself
/// (`soft_ce`'s teacher side).
fn grad_inputs(g: &Graph, ix: NodeIndex) -> Vec<NodeIndex> {
    g.g.edges_directed(ix, Direction::Incoming)
        .filter(|e| !matches!(&g.g[ix].kind, NodeKind::Op { op, .. } if detaches_input(op, &e.weight().port)))
        .map(|e| e.source())
        .collect()
}

/// Does the value of `ix` depend on trainable weights without a cut?
fn trainable_below(g: &Graph, ix: NodeIndex, memo: &mut Vec<Option<bool>>) -> bool {
    if let Some(v) = memo[ix.index()] {
        return v;
    }
    memo[ix.index()] = Some(false);
    let own = match &g.g[ix].kind {
        NodeKind::Net { branch, .. } => g.branch(branch).is_some_and(|b| b.kind == BranchKind::Trainable),
        _ => false,
    };
    let v = !cuts(g, ix) && (own || grad_inputs(g, ix).into_iter().any(|p| trainable_below(g, p, memo)));
    memo[ix.index()] = Some(v);
    v
}

pub fn check(g: &Graph, diags: &mut Vec<Diag>) -> GradTable {
    let mut memo = vec![None; g.g.node_count()];
    let mut table = GradTable::default();
    for ix in g.g.node_indices() {
        if trainable_below(g, ix, &mut memo) {
            table.needs_grad.insert(ix);
        }
    }
    for loss in g.losses() {
        let (name, loss_span) = match &g.g[loss].kind {
            NodeKind::Loss { name, .. } => (name.clone(), g.g[loss].span),
            _ => continue,
        };
        // Walk back from the loss, never through a cut; any EMA network met is a leak.
        let mut seen = BTreeSet::new();
        let mut stack = vec![loss];
        let mut leaks = BTreeSet::new();
        while let Some(ix) = stack.pop() {
            if !seen.insert(ix) || cuts(g, ix) {
                continue;
            }
            table.reached.insert(ix);
            if let NodeKind::Net { branch, .. } = &g.g[ix].kind
                && let Some(b) = g.branch(branch)
                && matches!(b.kind, BranchKind::Ema { .. })
                && leaks.insert(branch.clone())
            {
                diags.push(Diag::GradIntoEma {
                    loss: name.clone(),
                    branch: branch.clone(),
                    use_span: g.g[ix].span,
                    loss_span,
                });
            }
            stack.extend(grad_inputs(g, ix));
        }
        if !table.needs_grad.contains(&loss) {
            // Whatever stops its gradient, does the loss read any network?
            let reads_a_network = g
                .ancestors(vec![loss])
                .iter()
                .any(|ix| matches!(g.g[*ix].kind, NodeKind::Net { .. }));
            let reason = if reads_a_network || !leaks.is_empty() {
                "every path to trainable weights passes a stop-gradient, an input the op detaches \
                 (`soft_ce`'s teacher side), an EMA or a frozen branch"
            } else {
                "it depends on no network"
            };
            diags.push(Diag::NoTrainablePath {
                loss: name,
                span: loss_span,
                reason: reason.into(),
            });
        }
    }
    table
}
