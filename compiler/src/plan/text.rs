//! The text form of a plan, as snapshotted and printed by `sslc graph --format plan`.

use std::fmt::Write;

use super::{Operand, Plan, StepKind};

/// Renders the plan's steps and losses, one per line.
pub fn to_text(p: &Plan) -> String {
    let mut out = String::new();
    for s in &p.steps {
        let args: Vec<String> = s.inputs.iter().map(|(port, slot)| format!("{port}: ${slot}")).collect();
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
            StepKind::Net { branch, net, output } => match output.shown() {
                Some(o) => format!("{branch}.{net}({args}) {{{o}}}"),
                None => format!("{branch}.{net}({args})"),
            },
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
            StepKind::Arith { op, .. } => format!("{op}({args})"),
        };
        let grad = if s.grad { " grad" } else { "" };
        let ty = s.ty.as_ref().map(|t| t.to_string()).unwrap_or_else(|| "tuple".into());
        let _ = writeln!(out, "${} = {what} : {ty}{grad}", s.output);
    }
    for l in &p.losses {
        let _ = writeln!(out, "loss {} = ${} × {}", l.name, l.slot, l.weight);
    }
    out
}
