//! Probes and jobs run their network on whole images (the probe's kNN bank, a job's dense
//! features), so that network must be one the recipe applies to images: a backbone, not a head
//! applied to vectors or tokens. A probe of a value runs the value's making on whole images, so
//! the value must be one vector or token set per image, made from views of the image by
//! networks and ops that keep no state: no mask, box or label, and no memory or centre.

use petgraph::graph::NodeIndex;

use crate::diag::Diag;
use crate::graph::{Graph, NodeKind};
use crate::registry::keeps_state;
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Param};

pub fn check(g: &Graph, diags: &mut Vec<Diag>) {
    let errors_before = diags.iter().any(Diag::is_error);
    let at = |key: &str| g.setting_spans.get(key).copied().unwrap_or_default();
    let mut uses: Vec<(&Config, crate::span::Span)> = vec![];
    if let Some(probe) = &g.train.probe {
        uses.push((probe, at("probe")));
    }
    for (name, job) in &g.jobs {
        uses.push((job, at(&format!("job {name}"))));
    }
    if let Some(probe) = &g.train.probe {
        for (_, value) in &probe.tensors {
            if let Some(d) = probed_value(g, *value, at("probe")) {
                diags.push(d);
            }
        }
    }
    for (cfg, span) in uses {
        for (_, p) in &cfg.params {
            let Param::BranchNet { branch, net } = p else {
                continue;
            };
            let network = g.networks.get(net);
            let found = match network.and_then(|n| n.input.as_ref()) {
                Some(Ty::Image { .. }) => continue,
                Some(ty) => format!("`{branch}.{net}`, which the recipe applies to {ty}"),
                // A call of it in error is reported already, and explains this.
                None if errors_before => continue,
                None => format!("`{branch}.{net}`, which no step applies"),
            };
            diags.push(Diag::ShapeMismatch {
                what: format!("`{}`", cfg.builtin),
                expected: "a network applied to images (a backbone), as it runs on whole images".into(),
                found,
                span,
                other: network.map(|n| (n.span, format!("`{net}` is declared here"))),
                because: vec![],
            });
        }
    }
}

/// Why the value at `value` cannot be probed on whole images, if it cannot.
fn probed_value(g: &Graph, value: NodeIndex, span: Span) -> Option<Diag> {
    let refuse = |found: String, at: Option<(Span, String)>| Diag::ShapeMismatch {
        what: "`knn`".into(),
        expected: "a vector or tokens per image, made from one view of it by networks and ops that keep no state"
            .into(),
        found,
        span,
        other: at,
        because: vec![],
    };
    let node = &g.g[value];
    let ty = node.ty.as_ref()?;
    if !matches!(ty, Ty::Vector { n: 1, .. } | Ty::Tokens { n: 1, .. }) {
        return Some(refuse(ty.to_string(), None));
    }
    let mut seen_image = false;
    for ix in g.ancestors(vec![value]) {
        let n = &g.g[ix];
        let Some(t) = &n.ty else { continue };
        let what = match &n.kind {
            NodeKind::Op { op, .. } if keeps_state(op) => Some(format!("`{op}`, which keeps state across steps")),
            _ if t.count() > 1 => Some(format!("{t}, several views an image")),
            _ => match t {
                Ty::Image { .. } => {
                    seen_image = true;
                    None
                }
                Ty::Vector { .. } | Ty::Tokens { .. } | Ty::Matrix { .. } | Ty::Scalar { .. } => None,
                Ty::Batch(_) | Ty::Across { .. } => Some(format!("{t}, which depends on the whole batch")),
                other => Some(format!("{other}, drawn or read per image apart from its pixels")),
            },
        };
        if let Some(what) = what {
            return Some(refuse(
                format!("a value made with {what}"),
                Some((n.span, "this goes into the probed value".into())),
            ));
        }
    }
    (!seen_image).then(|| refuse("a value made from no image".into(), None))
}
