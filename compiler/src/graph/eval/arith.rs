//! Arithmetic in a recipe: on numbers it folds, on schedules it scales, on tensors it adds an
//! elementwise node whose type the two sides' types decide; and the check that a number is finite.

use super::Builder;
use crate::ast::BinOp;
use crate::diag::Diag;
use crate::graph::NodeKind;
use crate::registry;
use crate::span::Span;
use crate::value::{Schedule, Value};

impl Builder<'_> {
    /// A number, unless it is infinite or NaN (`1e999`, `1 / 0`): no setting takes those.
    pub(super) fn finite(&mut self, n: f64, span: Span) -> Value {
        if n.is_finite() {
            return Value::Num(n);
        }
        self.diags.push(Diag::NotFinite { value: n, span });
        Value::Poison
    }

    pub(super) fn arith(&mut self, op: BinOp, a: Value, b: Value, span: Span, sa: Span, sb: Span) -> Value {
        let sym = op;
        for (v, s) in [(&a, sa), (&b, sb)] {
            if let Value::Tensor(_, ty) = v
                && !ty.is_numeric()
            {
                self.diags.push(Diag::WrongType {
                    what: format!("an operand of `{}`", op.symbol()),
                    expected: "a number or a tensor of numbers (images, tokens, vectors, matrices, scalars, labels)"
                        .into(),
                    found: ty.to_string(),
                    span: s,
                });
                return Value::Poison;
            }
        }
        // A number or a schedule beside a tensor is a constant operand.
        let constant = |v: &Value| match v {
            Value::Num(c) => Some(Schedule::Constant { value: *c }),
            Value::Schedule(s) => Some(s.clone()),
            _ => None,
        };
        match (a, b) {
            (Value::Poison, _) | (_, Value::Poison) => Value::Poison,
            (Value::Num(x), Value::Num(y)) => self.finite(
                match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => x / y,
                },
                span,
            ),
            (Value::Tensor(ix, ty), c) if constant(&c).is_some() => {
                let n = self.node(
                    NodeKind::Arith {
                        op: sym,
                        constant: constant(&c),
                        left: false,
                    },
                    Some(ty.clone()),
                    span,
                );
                self.connect(ix, n, "a");
                Value::Tensor(n, ty)
            }
            (c, Value::Tensor(ix, ty)) if constant(&c).is_some() => {
                let n = self.node(
                    NodeKind::Arith {
                        op: sym,
                        constant: constant(&c),
                        left: true,
                    },
                    Some(ty.clone()),
                    span,
                );
                self.connect(ix, n, "b");
                Value::Tensor(n, ty)
            }
            (Value::Tensor(ia, ta), Value::Tensor(ib, tb)) => {
                let Some(out) = registry::broadcast(&ta, &tb) else {
                    self.diags.push(Diag::ShapeMismatch {
                        what: format!("`{}`", op.symbol()),
                        expected: format!(
                            "{ta} (like the left side), or a value that spreads over it (a scalar, \
                             one view, a value for the batch)"
                        ),
                        found: tb.to_string(),
                        span: sb,
                        other: Some((sa, format!("the left side is {ta}"))),
                        because: vec![],
                    });
                    return Value::Poison;
                };
                let n = self.node(
                    NodeKind::Arith {
                        op: sym,
                        constant: None,
                        left: false,
                    },
                    Some(out.clone()),
                    span,
                );
                self.connect(ia, n, "a");
                self.connect(ib, n, "b");
                Value::Tensor(n, out)
            }
            (a, b) => {
                let (bad, s) = if matches!(a, Value::Num(_) | Value::Tensor(..)) {
                    (b, sb)
                } else {
                    (a, sa)
                };
                self.diags.push(Diag::WrongType {
                    what: format!("an operand of `{}`", op.symbol()),
                    expected: "a number or a tensor".into(),
                    found: bad.describe(),
                    span: s,
                });
                Value::Poison
            }
        }
    }
}
