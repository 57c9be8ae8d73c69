//! Where a value's shape came from: the network declaration (and the argument in it) that set
//! its width, for the "makes its output N wide" notes of shape mismatches.

use super::NodeKind;
use super::eval::Builder;
use crate::registry;
use crate::span::Span;

/// The arguments that set a network's output width, in the order they are looked for.
const WIDTHS: [&str; 4] = ["out", "dim", "prototypes", "width"];

impl Builder<'_> {
    /// For each tensor input of a call, the network declaration that gave it its shape, found by
    /// following ops that keep or narrow a network's output (`cls`, `sg`, arithmetic) upstream.
    pub(super) fn shape_sources(&self, bound: &registry::Args) -> Vec<(Span, String)> {
        let mut notes: Vec<(Span, String)> = vec![];
        for (_, from, _) in bound.inputs() {
            let ty = self.graph.g[from].ty.clone();
            let mut ix = from;
            for _ in 0..16 {
                match &self.graph.g[ix].kind {
                    NodeKind::Net { net, .. } => {
                        if let (Some(n), Some(ty)) = (self.graph.networks.get(net), &ty) {
                            // The width argument as written (`out: 128`), else the declaration.
                            let width = n.args.as_ref().and_then(|a| {
                                WIDTHS
                                    .iter()
                                    .find(|w| a.given.contains(*w))
                                    .map(|w| (a.span_of(w), *w, a))
                            });
                            // The argument sets the output's width only: the token count comes
                            // from the view, and ops downstream may change the rest.
                            let out = self.graph.g[ix].ty.as_ref().and_then(|t| t.feature_dim());
                            let note = match (width, out) {
                                (Some((span, w, a)), Some(d)) => (
                                    span,
                                    format!("`{w}: {}` of `{net}` makes its output {d} wide", a.num(w)),
                                ),
                                _ if ix == from => (n.span, format!("`{net}` = {} makes it {ty}", n.config.builtin)),
                                _ => (n.span, format!("this comes from `{net}` = {}", n.config.builtin)),
                            };
                            if !notes.iter().any(|(s, _)| *s == note.0) {
                                notes.push(note);
                            }
                        }
                        break;
                    }
                    NodeKind::Input { .. } => break,
                    _ => match self
                        .graph
                        .g
                        .neighbors_directed(ix, petgraph::Direction::Incoming)
                        .next()
                    {
                        Some(up) => ix = up,
                        None => break,
                    },
                }
            }
        }
        notes
    }
}
