//! Graphviz form of a graph: views, each branch's network calls and the losses in clusters.

use std::fmt::Write;

use petgraph::visit::EdgeRef;

use super::text::describe;
use super::{Graph, NodeKind};

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Renders the graph in the DOT language.
pub fn to_dot(g: &Graph) -> String {
    let mut out = String::from("digraph recipe {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
    let cluster_of = |ix: petgraph::graph::NodeIndex| -> String {
        match &g.g[ix].kind {
            NodeKind::Input { .. } => "data".into(),
            NodeKind::Net { branch, .. } => format!("branch {branch}"),
            NodeKind::Loss { .. } => "losses".into(),
            NodeKind::Op { op, .. } => match crate::registry::lookup(op).map(|b| b.category) {
                Some(crate::registry::Category::View) | Some(crate::registry::Category::Mask) => {
                    "views and masks".into()
                }
                _ => "ops".into(),
            },
            NodeKind::Part { .. } => "views and masks".into(),
            NodeKind::Arith { .. } => "ops".into(),
        }
    };
    let mut clusters: std::collections::BTreeMap<String, Vec<petgraph::graph::NodeIndex>> = Default::default();
    for ix in g.g.node_indices() {
        clusters.entry(cluster_of(ix)).or_default().push(ix);
    }
    for (i, (name, nodes)) in clusters.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{i} {{\n    label=\"{}\";", esc(name));
        for ix in nodes {
            let node = &g.g[*ix];
            let title = node.name.as_ref().map(|n| format!("{n} = ")).unwrap_or_default();
            let ty = node.ty.as_ref().map(|t| format!("\\n{t}")).unwrap_or_default();
            let shape = if matches!(node.kind, NodeKind::Loss { .. }) {
                ", shape=ellipse"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    n{} [label=\"{}{}{}\"{shape}];",
                ix.index(),
                esc(&title),
                esc(&describe(g, *ix)),
                esc(&ty)
            );
        }
        out.push_str("  }\n");
    }
    for e in g.g.edge_references() {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"];",
            e.source().index(),
            e.target().index(),
            esc(&e.weight().port)
        );
    }
    out.push_str("}\n");
    out
}
