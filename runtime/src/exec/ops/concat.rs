//! `concat(a, b)`: the features of `b` after those of `a`, row by row. Vectors `[r, da]`,
//! `[r, db]` → `[r, da + db]`; tokens `[r, n, da]`, `[r, n, db]` → `[r, n, da + db]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Concat;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Concat {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        match (x.take(self.a)?, x.take(self.b)?) {
            (Val::Vectors(a), Val::Vectors(b)) => Ok(Val::Vectors(Tensor::cat(vec![a, b], 1))),
            (Val::Tokens(a), Val::Tokens(b)) => Ok(Val::Tokens(Tensor::cat(vec![a, b], 2))),
            (a, b) => Err(RunError::Internal(format!("concat of {} and {}", a.kind(), b.kind()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    /// Row i of the result: row i of `a` (width `da`), then row i of `b` (width `db`).
    fn rows_joined(a: &[f64], da: usize, b: &[f64], db: usize) -> Vec<f64> {
        (0..a.len() / da)
            .flat_map(|i| a[i * da..(i + 1) * da].iter().chain(&b[i * db..(i + 1) * db]).copied())
            .collect()
    }

    #[test]
    fn concat_joins_vectors_along_features() {
        let (a, b) = (values(3 * 4, &mut Rng::new(21)), values(3 * 2, &mut Rng::new(22)));
        let device = crate::device::default().autodiff();
        let tb = data(&b, [3, 2], &device);
        check_op(
            "concat",
            &a,
            [3, 4],
            |a| rows_joined(a, 4, &b, 2),
            |t| {
                flat_val(apply(
                    "concat",
                    &[],
                    vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
                    3,
                ))
            },
        );
    }

    #[test]
    fn concat_joins_each_token_along_features() {
        // Two images of three tokens: each token's features are a's then b's.
        let (a, b) = (
            values(2 * 3 * 2, &mut Rng::new(23)),
            values(2 * 3 * 5, &mut Rng::new(24)),
        );
        let device = crate::device::default().autodiff();
        let ta = data(&a, [2, 3, 2], &device);
        check_op(
            "concat",
            &b,
            [2, 3, 5],
            |b| rows_joined(&a, 2, b, 5),
            |t| {
                flat_val(apply(
                    "concat",
                    &[],
                    vec![("a", Val::Tokens(ta.clone())), ("b", Val::Tokens(t))],
                    2,
                ))
            },
        );
    }
}
