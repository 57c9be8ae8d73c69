//! Legal but almost certainly wrong: a term weighted 0, a batch larger than the data, a probe
//! asking for more neighbours than it has, an EMA of a frozen branch, an optimiser setting for a
//! network nothing trains, no `train` block. These are
//! warnings: they do not fail `check`, unless `--deny-warnings` makes them.

use crate::diag::Diag;
use crate::graph::{BranchKind, Graph, NodeKind};
use crate::value::{Config, Param};

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
    if let (Some(opt), Some(span)) = (&g.optimizer, g.setting_spans.get("optimizer")) {
        let trained = |net: &str| {
            g.branches
                .iter()
                .any(|b| b.kind == BranchKind::Trainable && b.nets.iter().any(|n| n == net))
        };
        for (param, net) in named_networks(opt) {
            if !trained(&net) {
                diags.push(Diag::OptimiserNetNotTrained {
                    param,
                    net,
                    span: *span,
                });
            }
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

/// The networks an optimiser's `fixed_lr` and `lr_scale` name, with the parameter naming each.
fn named_networks(opt: &Config) -> Vec<(String, String)> {
    let mut out = vec![];
    for (param, value) in &opt.params {
        if let ("fixed_lr" | "lr_scale", Param::List(items)) = (param.as_str(), value) {
            for item in items {
                let net = match item {
                    Param::Str(net) => Some(net),
                    Param::List(pair) => match pair.first() {
                        Some(Param::Str(net)) => Some(net),
                        _ => None,
                    },
                    _ => None,
                };
                out.extend(net.map(|n| (param.clone(), n.clone())));
            }
        }
    }
    out
}

/// An integer parameter of a configuration, if it has one.
fn int(c: &Config, name: &str) -> Option<u64> {
    c.num(name).map(|v| v as u64)
}
