//! Elementwise arithmetic of the plan (`+ − × /`, and `∨` for `maximum`) between values of one
//! kind, a value and a constant, or a value and a scalar spread over it.

use burn::tensor::Tensor;

use super::ops::take;
use super::val::Val;
use crate::error::RunError;

/// Applies one expression to the tensor of a value, whatever its rank.
macro_rules! every_rank {
    ($v:expr, |$t:ident| $body:expr) => {
        $v.map(|$t| $body, |$t| $body, |$t| $body, |$t| $body)
    };
}

/// Elementwise arithmetic between two values, or a value and a constant.
pub fn arith(op: char, constant: Option<f64>, left: bool, mut inputs: Vec<(String, Val)>) -> Result<Val, RunError> {
    if let Some(c) = constant {
        let v = inputs
            .pop()
            .ok_or_else(|| RunError::Internal("arithmetic without an operand".into()))?
            .1;
        let c = c as f32;
        return Ok(match (op, left) {
            ('+', _) => every_rank!(v, |t| t.add_scalar(c)),
            ('*', _) => every_rank!(v, |t| t.mul_scalar(c)),
            ('-', false) => every_rank!(v, |t| t.sub_scalar(c)),
            ('-', true) => every_rank!(v, |t| t.neg().add_scalar(c)),
            ('/', false) => every_rank!(v, |t| t.div_scalar(c)),
            ('/', true) => every_rank!(v, |t| t.recip().mul_scalar(c)),
            _ => return Err(RunError::Internal(format!("unknown operator `{op}`"))),
        });
    }
    let b = take(&mut inputs, "b")?;
    let a = take(&mut inputs, "a")?;
    fn bin<const D: usize>(op: char, a: Tensor<D>, b: Tensor<D>) -> Result<Tensor<D>, RunError> {
        Ok(match op {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            '/' => a / b,
            '∨' => a.max_pair(b),
            _ => return Err(RunError::Internal(format!("unknown operator `{op}`"))),
        })
    }
    Ok(match (a, b) {
        (Val::Images(a), Val::Images(b)) => Val::Images(bin(op, a, b)?),
        (Val::Tokens(a), Val::Tokens(b)) => Val::Tokens(bin(op, a, b)?),
        (Val::Vectors(a), Val::Vectors(b)) => Val::Vectors(bin(op, a, b)?),
        (Val::Matrix(a), Val::Matrix(b)) => Val::Matrix(bin(op, a, b)?),
        (Val::Scalar(a), Val::Scalar(b)) => {
            let n = a.dims()[0].max(b.dims()[0]);
            Val::Scalar(bin(op, a.expand([n]), b.expand([n]))?)
        }
        (Val::Vectors(a), Val::Scalar(s)) => {
            let s = spread(s, a.dims())?;
            Val::Vectors(bin(op, a, s)?)
        }
        (Val::Scalar(s), Val::Vectors(b)) => {
            let s = spread(s, b.dims())?;
            Val::Vectors(bin(op, s, b)?)
        }
        (Val::Tokens(a), Val::Scalar(s)) => {
            let s = spread(s, a.dims())?;
            Val::Tokens(bin(op, a, s)?)
        }
        (Val::Scalar(s), Val::Tokens(b)) => {
            let s = spread(s, b.dims())?;
            Val::Tokens(bin(op, s, b)?)
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
