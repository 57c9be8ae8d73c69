//! The text form of a graph: stable, line-oriented, grouped into data, networks, branches,
//! values and losses. Used by `sslc graph --format text` and the snapshots.

use std::fmt::Write;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{BranchKind, Graph, NodeKind};

/// One node's operation, e.g. `random_resized_crop(x: %0) {size: 32}`.
pub fn describe(g: &Graph, ix: petgraph::graph::NodeIndex) -> String {
    let node = &g.g[ix];
    let mut inputs: Vec<(usize, String)> =
        g.g.edges_directed(ix, Direction::Incoming)
            .map(|e| {
                (
                    e.source().index(),
                    format!("{}: %{}", e.weight().port, e.source().index()),
                )
            })
            .collect();
    inputs.sort_by(|a, b| a.1.split(':').next().cmp(&b.1.split(':').next()).then(a.0.cmp(&b.0)));
    let args: Vec<String> = inputs.into_iter().map(|(_, s)| s).collect();
    let args = args.join(", ");
    match &node.kind {
        NodeKind::Input { field } => format!("input {field}"),
        NodeKind::Op { op, params } => {
            let ps: Vec<String> = params.iter().map(|(n, p)| format!("{n}: {p}")).collect();
            if ps.is_empty() {
                format!("{op}({args})")
            } else {
                format!("{op}({args}) {{{}}}", ps.join(", "))
            }
        }
        NodeKind::Part { index } => format!("part {index} of ({args})"),
        NodeKind::Net { branch, net, output } => match output.shown() {
            Some(o) => format!("{branch}.{net}({args}) {{{o}}}"),
            None => format!("{branch}.{net}({args})"),
        },
        NodeKind::Arith { op, constant, left } => match (constant, left) {
            (Some(c), true) => format!("{c} {op} ({args})"),
            (Some(c), false) => format!("({args}) {op} {c}"),
            (None, _) => format!("{op}({args})"),
        },
        NodeKind::Loss { name, weight } => format!("loss {name} weight {weight} ({args})"),
    }
}

/// Renders the whole graph as text.
pub fn to_text(g: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "data");
    if let Some(s) = &g.source {
        let _ = writeln!(out, "  source {s}");
    }
    let _ = writeln!(out, "  batch {}", g.batch);
    let _ = writeln!(out, "networks");
    for (name, n) in &g.networks {
        let input = n.input.as_ref().map(|t| format!(" on {t}")).unwrap_or_default();
        let _ = writeln!(out, "  {name} = {}{input}", n.config);
    }
    let _ = writeln!(out, "branches");
    for b in &g.branches {
        let kind = match &b.kind {
            BranchKind::Trainable => "trainable".to_string(),
            BranchKind::Frozen => "frozen".to_string(),
            BranchKind::Ema { source, momentum } => format!("ema of {source}, momentum {momentum}"),
        };
        let _ = writeln!(out, "  {} ({kind}): {}", b.name, b.nets.join(", "));
    }
    let _ = writeln!(out, "values");
    for ix in g.g.node_indices() {
        let node = &g.g[ix];
        if matches!(node.kind, NodeKind::Loss { .. }) {
            continue;
        }
        let name = node.name.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
        let ty = node.ty.as_ref().map(|t| format!(" : {t}")).unwrap_or_default();
        let _ = writeln!(out, "  %{}{name} = {}{ty}", ix.index(), describe(g, ix));
    }
    let _ = writeln!(out, "losses");
    for ix in g.losses() {
        let _ = writeln!(out, "  {}", describe(g, ix));
    }
    if let Some(o) = &g.optimizer {
        let _ = writeln!(out, "optimizer {o}");
    }
    let t = &g.train;
    let _ = writeln!(
        out,
        "train epochs {}, seed {}, log every {}",
        t.epochs, t.seed, t.log_every
    );
    if let Some(p) = &t.probe {
        let _ = writeln!(out, "  probe {p}");
    }
    for (name, j) in &g.jobs {
        let _ = writeln!(out, "job {name} = {j}");
    }
    out
}
