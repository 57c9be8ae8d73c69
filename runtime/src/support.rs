//! What this runtime can execute: a plan using anything else is refused before training, with
//! the place in the recipe where the unsupported built-in is used.

use sslc_compiler::plan::{JobKind, NetKind, OptimizerKind, Plan, ProbeKind, SourceKind, StepKind, TensorOp, ViewOp};
use sslc_compiler::span::Span;

use crate::data::source::FIELDS;

/// Every built-in (and data field) the executor implements today: every one of the language,
/// as the runtime matches each of the plan's enums in full. Only data fields are named.
pub fn executed() -> impl Iterator<Item = &'static str> {
    [
        ViewOp::NAMES,
        TensorOp::NAMES,
        NetKind::NAMES,
        OptimizerKind::NAMES,
        ProbeKind::NAMES,
        JobKind::NAMES,
        SourceKind::NAMES,
        FIELDS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

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

/// Every built-in of the plan the runtime cannot execute, once each, with the span of its first
/// use.
pub fn unsupported(plan: &Plan) -> Vec<(String, Span)> {
    let mut out: Vec<(String, Span)> = vec![];
    let mut need = |name: &str, span: Span| {
        if !executed().any(|e| e == name) && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), span));
        }
    };
    for s in &plan.steps {
        match &s.kind {
            StepKind::Input { field } => need(field, s.span),
            StepKind::Tensor(_)
            | StepKind::View(_)
            | StepKind::Net { .. }
            | StepKind::Part { .. }
            | StepKind::Arith { .. } => {}
        }
    }
    out
}
