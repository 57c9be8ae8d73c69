//! Declared views, masks, values and branches that no loss or probe uses, and networks a branch holds
//! that no call applies (warnings).

use std::collections::BTreeSet;

use crate::diag::Diag;
use crate::graph::{BranchKind, Graph, NodeKind};

pub fn check(g: &Graph, diags: &mut Vec<Diag>) {
    // A value the probe reads is used, and so is what it is made from.
    let mut ends = g.losses();
    ends.extend(g.train.probe.iter().flat_map(|p| p.tensors.iter().map(|(_, ix)| *ix)));
    let live = g.ancestors(ends);
    let mut used_branches: BTreeSet<String> = live
        .iter()
        .filter_map(|ix| match &g.g[*ix].kind {
            NodeKind::Net { branch, .. } => Some(branch.clone()),
            _ => None,
        })
        .collect();
    // A branch that an EMA follows is used through it; probes and jobs use their network's branch.
    for b in &g.branches {
        if let BranchKind::Ema { source, .. } = &b.kind
            && used_branches.contains(&b.name)
        {
            used_branches.insert(source.clone());
        }
    }
    let mut cfgs: Vec<&crate::value::Config> = g.jobs.iter().map(|(_, c)| c).collect();
    cfgs.extend(g.train.probe.iter());
    for c in cfgs {
        for (_, p) in &c.params {
            if let crate::value::Param::BranchNet { branch, .. } = p {
                used_branches.insert(branch.clone());
            }
        }
    }
    // A network no call applies has no input to shape its weights: a branch holds none for it.
    for (name, n) in &g.networks {
        let held = g.branches.iter().any(|b| b.nets.contains(name));
        if n.input.is_none() && held {
            diags.push(Diag::Unused {
                kind: "network".into(),
                name: name.clone(),
                span: n.span,
            });
        }
    }
    for d in &g.declared {
        let used = if d.kind == "branch" {
            used_branches.contains(&d.name)
        } else {
            d.nodes.iter().any(|n| live.contains(n))
        };
        if !used {
            diags.push(Diag::Unused {
                kind: d.kind.into(),
                name: d.name.clone(),
                span: d.span,
            });
        }
    }
}
