//! The algebra's view of a value: four axes, `[images, views, rows, columns]`, whatever its
//! type (a value for the batch has one image), so that elementwise ops spread by size-1 axes,
//! reductions name an axis, and matrix products meet. The compiler's types say which layout a
//! slot holds; these turn a [`Val`] into that view and back.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Axis;
use sslc_compiler::types::Ty;

use crate::error::RunError;
use crate::val::Val;

/// `v`, of type `ty`, as `[images, views, rows, cols]`: images `[b·n, c, h, w]` as
/// `[b, n, c, h·w]`, tokens `[b·n, len, d]` as `[b, n, len, d]`, vectors and dot products
/// across the batch `[b·n, d]` as `[b, n, 1, d]`, matrices `[b·n, r, c]` as `[b, n, r, c]`,
/// scalars `[b·n]` as `[b, n, 1, 1]`. `b` is what the value holds: the batch's images, or 1
/// for a value of the batch (and for a loss built-in's scalar, already averaged).
pub fn to4(v: Val, ty: &Ty) -> Result<Tensor<4>, RunError> {
    let n = ty.count().max(1) as usize;
    let rows = |r: usize| {
        if r.is_multiple_of(n) {
            Ok(r / n)
        } else {
            Err(RunError::Internal(format!(
                "{r} rows for a value of {n} views an image ({ty})"
            )))
        }
    };
    Ok(match v {
        Val::Images(t) => {
            let [r, c, h, w] = t.dims();
            t.reshape([rows(r)?, n, c, h * w])
        }
        Val::Tokens(t) | Val::Matrix(t) => {
            let [r, a, d] = t.dims();
            t.reshape([rows(r)?, n, a, d])
        }
        Val::Vectors(t) => {
            let [r, d] = t.dims();
            t.reshape([rows(r)?, n, 1, d])
        }
        Val::Scalar(t) => {
            let [r] = t.dims();
            t.reshape([rows(r)?, n, 1, 1])
        }
        Val::Bank(t) => {
            let [s, d] = t.dims();
            t.reshape([1, 1, s, d])
        }
        other => {
            return Err(RunError::Internal(format!(
                "{} is not a tensor of numbers",
                other.kind()
            )));
        }
    })
}

/// The value of type `ty` that `t` (`[b, n, rows, cols]`) holds: the inverse of [`to4`].
pub fn from4(t: Tensor<4>, ty: &Ty) -> Result<Val, RunError> {
    let [b, n, r, c] = t.dims();
    Ok(match ty.scope().1 {
        Ty::Image { c: ch, h, w, .. } => {
            let (ch, h, w) = (*ch as usize, *h as usize, *w as usize);
            if r * c != ch * h * w {
                return Err(RunError::Internal(format!("{r}×{c} numbers for {ty}")));
            }
            Val::Images(t.reshape([b * n, ch, h, w]))
        }
        Ty::Tokens { .. } => Val::Tokens(t.reshape([b * n, r, c])),
        Ty::Matrix { .. } => Val::Matrix(t.reshape([b * n, r, c])),
        Ty::Vector { .. } | Ty::Labels { .. } | Ty::Across { .. } => Val::Vectors(t.reshape([b * n, r * c])),
        Ty::Scalar { .. } => Val::Scalar(t.reshape([b * n * r * c])),
        other => return Err(RunError::Internal(format!("{other} is not a tensor of numbers"))),
    })
}

/// The axes of the four that `axis` names.
pub fn dims(axis: Axis) -> &'static [usize] {
    match axis {
        Axis::Image => &[1, 2, 3],
        Axis::Batch => &[0],
        Axis::Views => &[1],
        Axis::Tokens | Axis::Rows => &[2],
        Axis::Features | Axis::Cols => &[3],
    }
}

/// `a` and `b` spread to one shape: each axis of one is either the other's size or 1.
pub fn meet(a: Tensor<4>, b: Tensor<4>) -> Result<(Tensor<4>, Tensor<4>), RunError> {
    let (da, db) = (a.dims(), b.dims());
    let mut shape = [0; 4];
    for i in 0..4 {
        shape[i] = match (da[i], db[i]) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(RunError::Internal(format!(
                    "values of shapes {da:?} and {db:?} do not meet"
                )));
            }
        };
    }
    let spread = |t: Tensor<4>, d: [usize; 4]| if d == shape { t } else { t.expand(shape) };
    Ok((spread(a, da), spread(b, db)))
}

/// The leading two axes of `a` and `b` (images and views) spread to one size, the trailing
/// two left alone: the batch axes of a matrix product.
pub fn meet_leading(a: Tensor<4>, b: Tensor<4>) -> Result<(Tensor<4>, Tensor<4>), RunError> {
    let (da, db) = (a.dims(), b.dims());
    let mut lead = [0; 2];
    for i in 0..2 {
        lead[i] = match (da[i], db[i]) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(RunError::Internal(format!(
                    "values of shapes {da:?} and {db:?} do not meet"
                )));
            }
        };
    }
    let spread = |t: Tensor<4>, d: [usize; 4]| {
        if d[..2] == lead {
            t
        } else {
            t.expand([lead[0], lead[1], d[2], d[3]])
        }
    };
    Ok((spread(a, da), spread(b, db)))
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};
    use sslc_compiler::types::Ty;

    use super::{from4, to4};
    use crate::val::Val;

    #[test]
    fn every_layout_goes_there_and_back() {
        let device = crate::device::default();
        let flat: Vec<f32> = (0..24).map(|v| v as f32).collect();
        let cases = [
            (
                Val::Images(Tensor::from_data(TensorData::new(flat.clone(), [4, 3, 2, 1]), &device)),
                Ty::Image { c: 3, h: 2, w: 1, n: 2 },
                [2, 2, 3, 2],
            ),
            (
                Val::Tokens(Tensor::from_data(TensorData::new(flat.clone(), [2, 3, 4]), &device)),
                Ty::Tokens {
                    len: 3,
                    dim: 4,
                    grid: None,
                    cls: false,
                    n: 1,
                },
                [2, 1, 3, 4],
            ),
            (
                Val::Vectors(Tensor::from_data(TensorData::new(flat.clone(), [6, 4]), &device)),
                Ty::Vector { dim: 4, n: 3 },
                [2, 3, 1, 4],
            ),
            (
                Val::Matrix(Tensor::from_data(TensorData::new(flat.clone(), [1, 4, 6]), &device)),
                Ty::Batch(Box::new(Ty::Matrix { rows: 4, cols: 6, n: 1 })),
                [1, 1, 4, 6],
            ),
            (
                Val::Scalar(Tensor::from_data(TensorData::new(flat.clone(), [24]), &device)),
                Ty::Scalar { n: 2 },
                [12, 2, 1, 1],
            ),
        ];
        for (v, ty, shape) in cases {
            let t = to4(v, &ty).expect("to4");
            assert_eq!(t.dims(), shape, "{ty}");
            let back = from4(t, &ty).expect("from4");
            let values: Vec<f32> = back.flat().expect("flat").try_into_vec_as().expect("values");
            assert_eq!(values, flat, "{ty}");
        }
    }
}
