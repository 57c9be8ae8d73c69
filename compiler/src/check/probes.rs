//! Probes and jobs run their network on whole images (the probe's kNN bank, a job's dense
//! features), so that network must be one the recipe applies to images: a backbone, not a head
//! applied to vectors or tokens.

use crate::diag::Diag;
use crate::graph::Graph;
use crate::types::Ty;
use crate::value::{Config, Param};

pub fn check(g: &Graph, diags: &mut Vec<Diag>) {
    let at = |key: &str| g.setting_spans.get(key).copied().unwrap_or_default();
    let mut uses: Vec<(&Config, crate::span::Span)> = vec![];
    if let Some(probe) = &g.train.probe {
        uses.push((probe, at("probe")));
    }
    for (name, job) in &g.jobs {
        uses.push((job, at(&format!("job {name}"))));
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
