//! The text form of a plan, as snapshotted and printed by `sslc graph --format plan`.

use std::fmt::Write;

use super::{Operand, Plan, ProbeKind, Probed, Step, StepKind};

/// Renders the plan's steps and losses, one per line, then the probe's own steps, if any.
pub fn to_text(p: &Plan) -> String {
    let mut out = String::new();
    for s in &p.steps {
        let _ = writeln!(out, "{}", step_line(p, s, "$"));
    }
    for l in &p.losses {
        let _ = writeln!(out, "loss {} = ${} × {}", l.name, l.slot.0, l.weight);
    }
    if let Some(ProbeKind::Knn(k)) = &p.train.probe
        && let Probed::Value(slot) = &k.network
    {
        let _ = writeln!(out, "probe knn on whole images, reading p{}:", slot.0);
        for s in &p.train.probe_steps {
            let _ = writeln!(out, "  {}", step_line(p, s, "p"));
        }
    }
    out
}

/// One step: `$3 = op(x: $2) {params} : type`, slots written with `sigil`.
fn step_line(p: &Plan, s: &Step, sigil: &str) -> String {
    let args: Vec<String> = s
        .inputs
        .iter()
        .map(|i| format!("{}: {sigil}{}", i.port, i.slot.0))
        .collect();
    let args = args.join(", ");
    let what = match &s.kind {
        StepKind::Input { field } => format!("input {}", field.name()),
        StepKind::Tensor(op) => {
            let ps: Vec<String> = op.shown().iter().map(|(n, v)| format!("{n}: {v}")).collect();
            if ps.is_empty() {
                format!("{}({args})", op.name())
            } else {
                format!("{}({args}) {{{}}}", op.name(), ps.join(", "))
            }
        }
        StepKind::View(op) => {
            let (op, params) = (op.name(), op.shown());
            let ps: Vec<String> = params.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            if ps.is_empty() {
                format!("{op}({args})")
            } else {
                format!("{op}({args}) {{{}}}", ps.join(", "))
            }
        }
        StepKind::Part { index } => format!("part {index} of ({args})"),
        StepKind::Net {
            branch, net, output, ..
        } => {
            let branch = p.branch(*branch).map_or("", |b| b.name.as_str());
            let net = p.net_name(*net);
            match output.shown() {
                Some(o) => format!("{branch}.{net}({args}) {{{o}}}"),
                None => format!("{branch}.{net}({args})"),
            }
        }
        StepKind::Arith {
            op,
            a: Operand::Constant(c),
            ..
        } => format!("{c} {op} ({args})"),
        StepKind::Arith {
            op,
            b: Operand::Constant(c),
            ..
        } => format!("({args}) {op} {c}"),
        StepKind::Arith {
            op,
            a: Operand::Schedule(c),
            ..
        } => format!("{c} {op} ({args})"),
        StepKind::Arith {
            op,
            b: Operand::Schedule(c),
            ..
        } => format!("({args}) {op} {c}"),
        StepKind::Arith { op, .. } => format!("{op}({args})"),
    };
    let grad = match (s.grad, s.couples) {
        (true, true) => " grad batch",
        (true, false) => " grad",
        (false, true) => " batch",
        (false, false) => "",
    };
    let ty = s.ty.as_ref().map(|t| t.to_string()).unwrap_or_else(|| "tuple".into());
    format!("{sigil}{} = {what} : {ty}{grad}", s.output.0)
}
