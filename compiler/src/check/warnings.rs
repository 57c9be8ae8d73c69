//! Legal but almost certainly wrong: a term weighted 0, a batch larger than the data, a probe
//! asking for more neighbours than it has, an EMA of a frozen branch, no `train` block. These are
//! warnings: they do not fail `check`, unless `--deny-warnings` makes them.

use crate::diag::Diag;
use crate::graph::{BranchKind, Graph, NodeKind};
use crate::value::Config;

pub fn check(g: &Graph, diags: &mut Vec<Diag>) {
    for ix in g.losses() {
        let node = &g.g[ix];
        if let NodeKind::Loss { name, weight } = &node.kind
            && weight.extremes().iter().all(|w| *w == 0.0)
        {
            diags.push(Diag::ZeroWeight {
                loss: name.clone(),
                span: node.span,
            });
        }
    }
    let count = g.source.as_ref().and_then(|c| int(c, "count"));
    if let (Some(count), Some(span)) = (count, g.setting_spans.get("batch"))
        && g.batch > count
    {
        diags.push(Diag::BatchOverData {
            batch: g.batch,
            count,
            span: *span,
        });
    }
    if let (Some(bank), Some(probe), Some(span)) = (count, &g.train.probe, g.setting_spans.get("probe"))
        && let Some(k) = int(probe, "k")
        && k > bank
    {
        diags.push(Diag::KOverBank { k, bank, span: *span });
    }
    for b in &g.branches {
        if let BranchKind::Ema { source, .. } = &b.kind
            && g.branch(source).is_some_and(|s| s.kind == BranchKind::Frozen)
        {
            diags.push(Diag::EmaOfFrozen {
                branch: b.name.clone(),
                source: source.clone(),
                span: b.span,
            });
        }
    }
    if !g.setting_spans.contains_key("train") {
        diags.push(Diag::NoTrainBlock {
            epochs: g.train.epochs,
            seed: g.train.seed,
            log_every: g.train.log_every,
        });
    }
}

/// An integer parameter of a configuration, if it has one.
fn int(c: &Config, name: &str) -> Option<u64> {
    c.num(name).map(|v| v as u64)
}
