//! What this runtime can execute: a plan using anything else is refused before training.

use sslc_compiler::plan::{Plan, StepKind};
use sslc_compiler::span::Span;

/// Built-ins the executor implements today.
pub const EXECUTED: &[&str] = &[];

/// The backend this binary was built with.
pub fn backend() -> &'static str {
    if cfg!(feature = "tch") {
        "tch"
    } else if cfg!(feature = "wgpu") {
        "wgpu"
    } else if cfg!(feature = "ndarray") {
        "ndarray"
    } else {
        "flex"
    }
}

/// Every step (and network) of the plan the runtime cannot execute, with its span.
pub fn unsupported(plan: &Plan) -> Vec<(String, Span)> {
    let mut out: Vec<(String, Span)> = vec![];
    for s in &plan.steps {
        let name = match &s.kind {
            StepKind::Op { op, .. } => op.clone(),
            StepKind::Net { net, .. } => plan
                .networks
                .iter()
                .find(|(n, _)| n == net)
                .map(|(_, n)| n.config.builtin.clone())
                .unwrap_or_default(),
            _ => continue,
        };
        if !EXECUTED.contains(&name.as_str()) && !out.iter().any(|(n, _)| *n == name) {
            out.push((name, s.span));
        }
    }
    out
}
