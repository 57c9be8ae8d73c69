//! Elementwise arithmetic of the plan (`+ − × /`, and `maximum`) between values of one kind,
//! a value and a constant, or a value and a scalar spread over it.

use burn::tensor::Tensor;
use sslc_compiler::plan::ArithOp;
use sslc_compiler::types::Ty;

use super::shape::{from4, meet, to4};
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

/// `a op b` elementwise.
fn bin<const D: usize>(op: Binary, a: Tensor<D>, b: Tensor<D>) -> Tensor<D> {
    match op {
        Binary::Arith(ArithOp::Add) => a + b,
        Binary::Arith(ArithOp::Sub) => a - b,
        Binary::Arith(ArithOp::Mul) => a * b,
        Binary::Arith(ArithOp::Div) => a / b,
        Binary::Max => a.max_pair(b),
    }
}

/// `a op b` elementwise between values of the types the compiler gave them, spread as it
/// checked (`registry::broadcast`): a value for the batch over the images, one view over
/// several, a scalar over its image, a vector over a matrix's rows or tokens.
pub fn typed(op: ArithOp, (a, ta): (Val, &Ty), (b, tb): (Val, &Ty), out: &Ty) -> Result<Val, RunError> {
    if ta == tb {
        return binary(Binary::Arith(op), a, b);
    }
    let (a, b) = meet(to4(a, ta)?, to4(b, tb)?)?;
    from4(bin(Binary::Arith(op), a, b), out)
}

/// `a op b` elementwise, a scalar spread over the other side.
pub fn binary(op: Binary, a: Val, b: Val) -> Result<Val, RunError> {
    Ok(match (a, b) {
        (Val::Images(a), Val::Images(b)) => Val::Images(bin(op, a, b)),
        (Val::Tokens(a), Val::Tokens(b)) => Val::Tokens(bin(op, a, b)),
        (Val::Vectors(a), Val::Vectors(b)) => Val::Vectors(bin(op, a, b)),
        (Val::Matrix(a), Val::Matrix(b)) => Val::Matrix(bin(op, a, b)),
        (Val::Scalar(a), Val::Scalar(b)) => {
            let n = a.dims()[0].max(b.dims()[0]);
            Val::Scalar(bin(op, a.expand([n]), b.expand([n])))
        }
        (v, Val::Scalar(s)) => with_scalar(op, v, s, false)?,
        (Val::Scalar(s), v) => with_scalar(op, v, s, true)?,
        (a, b) => {
            return Err(RunError::Internal(format!(
                "`{op}` between {} and {}",
                a.kind(),
                b.kind()
            )));
        }
    })
}

/// `v op s` (or `s op v` when `left`), the scalar `s` (`[1]`, one per image or one per row)
/// spread over the images, tokens, vectors or matrices of `v`.
fn with_scalar(op: Binary, v: Val, s: Tensor<1>, left: bool) -> Result<Val, RunError> {
    let rows = match &v {
        Val::Images(t) => t.dims()[0],
        Val::Tokens(t) | Val::Matrix(t) => t.dims()[0],
        Val::Vectors(t) => t.dims()[0],
        other => {
            let side = if left {
                ("a scalar", other.kind())
            } else {
                (other.kind(), "a scalar")
            };
            return Err(RunError::Internal(format!("`{op}` between {} and {}", side.0, side.1)));
        }
    };
    let k = s.dims()[0];
    if k == 0 || rows % k != 0 {
        return Err(RunError::Internal(format!(
            "a scalar of {k} values against a batch of {rows}"
        )));
    }
    // One value per image against several views per image: each repeats over its views.
    let s = crate::tensor::repeat_rows2(s.reshape([k, 1]), rows / k).reshape([rows]);
    Ok(every_rank!(v, |t| {
        let spread = spread(s.clone(), t.dims());
        if left { bin(op, spread, t) } else { bin(op, t, spread) }
    }))
}

/// A scalar (`[1]`, or one per row `[dims[0]]`, as checked) spread over a value of shape
/// `dims`.
fn spread<const D: usize>(s: Tensor<1>, dims: [usize; D]) -> Tensor<D> {
    let mut shape = [1usize; D];
    shape[0] = s.dims()[0];
    s.reshape(shape).expand(dims)
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};
    use sslc_compiler::plan::ArithOp;

    use super::{Binary, binary};
    use crate::val::Val;

    fn values(v: Val) -> Vec<f32> {
        match v {
            Val::Images(t) => t.try_into_vec_as().expect("values"),
            Val::Tokens(t) | Val::Matrix(t) => t.try_into_vec_as().expect("values"),
            Val::Vectors(t) => t.try_into_vec_as().expect("values"),
            Val::Scalar(t) => t.try_into_vec_as().expect("values"),
            v => panic!("{}", v.kind()),
        }
    }

    #[test]
    fn a_scalar_per_image_spreads_over_every_rank_on_either_side() {
        let device = crate::device::default();
        // Two images of 1×1×2 pixels, and one scalar per image.
        let images = || {
            Val::Images(Tensor::from_data(
                TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [2, 1, 1, 2]),
                &device,
            ))
        };
        let per_image = || Tensor::<1>::from_data(TensorData::new(vec![10.0f32, 100.0], [2]), &device);
        let times = binary(Binary::Arith(ArithOp::Mul), images(), Val::Scalar(per_image())).expect("spread");
        assert_eq!(values(times), vec![10.0, 20.0, 300.0, 400.0]);
        let minus = binary(Binary::Arith(ArithOp::Sub), Val::Scalar(per_image()), images()).expect("spread");
        assert_eq!(values(minus), vec![9.0, 8.0, 97.0, 96.0]);
        let vectors = Val::Vectors(Tensor::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]),
            &device,
        ));
        let one = Tensor::<1>::from_data(TensorData::new(vec![0.5f32], [1]), &device);
        let halved = binary(Binary::Arith(ArithOp::Mul), vectors, Val::Scalar(one)).expect("spread");
        assert_eq!(values(halved), vec![0.5, 1.0, 1.5, 2.0]);
        // Three values for two images do not spread.
        let three = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0], [3]), &device);
        assert!(binary(Binary::Arith(ArithOp::Add), images(), Val::Scalar(three)).is_err());
        // One value per image against two views per image: each covers its image's views.
        let two_views = Val::Vectors(Tensor::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [4, 1]),
            &device,
        ));
        let added = binary(Binary::Arith(ArithOp::Add), two_views, Val::Scalar(per_image())).expect("spread");
        assert_eq!(values(added), vec![11.0, 12.0, 103.0, 104.0]);
    }
}
