//! The plan's elementwise arithmetic operators.

use serde::Serialize;

/// One side of an arithmetic step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    Slot(super::Slot),
    Constant(f64),
    /// A number that follows a schedule, read at each step.
    Schedule(crate::value::Schedule),
}

/// `+ − × /` between two values, or a value and a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ArithOp {
    #[serde(rename = "+")]
    Add,
    #[serde(rename = "-")]
    Sub,
    #[serde(rename = "*")]
    Mul,
    #[serde(rename = "/")]
    Div,
}

impl From<crate::ast::BinOp> for ArithOp {
    fn from(op: crate::ast::BinOp) -> Self {
        use crate::ast::BinOp;
        match op {
            BinOp::Add => ArithOp::Add,
            BinOp::Sub => ArithOp::Sub,
            BinOp::Mul => ArithOp::Mul,
            BinOp::Div => ArithOp::Div,
        }
    }
}

impl std::fmt::Display for ArithOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        })
    }
}
