//! Elementwise arithmetic of the plan (`+ − × /`, and `maximum`) between values of one kind,
//! a value and a constant, or a value and a scalar spread over it.

use burn::tensor::Tensor;
use sslc_compiler::plan::ArithOp;

use crate::error::RunError;
use crate::val::Val;

/// Applies one expression to the tensor of a value, whatever its rank.
macro_rules! every_rank {
    ($v:expr, |$t:ident| $body:expr) => {
        $v.map(|$t| $body, |$t| $body, |$t| $body, |$t| $body)
    };
}

/// An elementwise operation between two values.
#[derive(Clone, Copy, Debug)]
pub enum Binary {
    Arith(ArithOp),
    Max,
}

impl std::fmt::Display for Binary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Binary::Arith(op) => write!(f, "{op}"),
            Binary::Max => f.write_str("maximum"),
        }
    }
}

/// `v op c` (or `c op v` when `left`).
pub fn constant(op: ArithOp, c: f64, left: bool, v: Val) -> Val {
    let c = c as f32;
    match (op, left) {
        (ArithOp::Add, _) => every_rank!(v, |t| t.add_scalar(c)),
        (ArithOp::Mul, _) => every_rank!(v, |t| t.mul_scalar(c)),
        (ArithOp::Sub, false) => every_rank!(v, |t| t.sub_scalar(c)),
        (ArithOp::Sub, true) => every_rank!(v, |t| t.neg().add_scalar(c)),
        (ArithOp::Div, false) => every_rank!(v, |t| t.div_scalar(c)),
        (ArithOp::Div, true) => every_rank!(v, |t| t.recip().mul_scalar(c)),
    }
}

/// `a op b` elementwise, a scalar spread over the other side.
pub fn binary(op: Binary, a: Val, b: Val) -> Result<Val, RunError> {
    fn bin<const D: usize>(op: Binary, a: Tensor<D>, b: Tensor<D>) -> Tensor<D> {
        match op {
            Binary::Arith(ArithOp::Add) => a + b,
            Binary::Arith(ArithOp::Sub) => a - b,
            Binary::Arith(ArithOp::Mul) => a * b,
            Binary::Arith(ArithOp::Div) => a / b,
            Binary::Max => a.max_pair(b),
        }
    }
    Ok(match (a, b) {
        (Val::Images(a), Val::Images(b)) => Val::Images(bin(op, a, b)),
        (Val::Tokens(a), Val::Tokens(b)) => Val::Tokens(bin(op, a, b)),
        (Val::Vectors(a), Val::Vectors(b)) => Val::Vectors(bin(op, a, b)),
        (Val::Matrix(a), Val::Matrix(b)) => Val::Matrix(bin(op, a, b)),
        (Val::Scalar(a), Val::Scalar(b)) => {
            let n = a.dims()[0].max(b.dims()[0]);
            Val::Scalar(bin(op, a.expand([n]), b.expand([n])))
        }
        (Val::Vectors(a), Val::Scalar(s)) => {
            let s = spread(s, a.dims())?;
            Val::Vectors(bin(op, a, s))
        }
        (Val::Scalar(s), Val::Vectors(b)) => {
            let s = spread(s, b.dims())?;
            Val::Vectors(bin(op, s, b))
        }
        (Val::Tokens(a), Val::Scalar(s)) => {
            let s = spread(s, a.dims())?;
            Val::Tokens(bin(op, a, s))
        }
        (Val::Scalar(s), Val::Tokens(b)) => {
            let s = spread(s, b.dims())?;
            Val::Tokens(bin(op, s, b))
        }
        (Val::Images(a), Val::Scalar(s)) => {
            let s = spread(s, a.dims())?;
            Val::Images(bin(op, a, s))
        }
        (Val::Scalar(s), Val::Images(b)) => {
            let s = spread(s, b.dims())?;
            Val::Images(bin(op, s, b))
        }
        (Val::Matrix(a), Val::Scalar(s)) => {
            let s = spread(s, a.dims())?;
            Val::Matrix(bin(op, a, s))
        }
        (Val::Scalar(s), Val::Matrix(b)) => {
            let s = spread(s, b.dims())?;
            Val::Matrix(bin(op, s, b))
        }
        (a, b) => {
            return Err(RunError::Internal(format!(
                "`{op}` between {} and {}",
                a.kind(),
                b.kind()
            )));
        }
    })
}

/// A scalar (`[1]`, or one per image `[batch]`) spread over a value of shape `dims`.
fn spread<const D: usize>(s: Tensor<1>, dims: [usize; D]) -> Result<Tensor<D>, RunError> {
    let k = s.dims()[0];
    if k != 1 && k != dims[0] {
        return Err(RunError::Internal(format!(
            "a scalar of {k} values against a batch of {}",
            dims[0]
        )));
    }
    let mut shape = [1usize; D];
    shape[0] = k;
    Ok(s.reshape(shape).expand(dims))
}
