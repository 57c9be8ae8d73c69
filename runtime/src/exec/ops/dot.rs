//! `dot(a, b)`: Σ_d a·b per row, rows repeated to match. `[r, d]`, `[r, d]` → scalar `[r]`.

use sslc_compiler::plan::ops::Dot;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for Dot {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows2(x.take(self.a)?.vectors()?, x.take(self.b)?.vectors()?);
        Ok(Val::Scalar(a.mul(b).sum_dim(1).flatten(0, 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn dot_matches_its_formula() {
        let (a, b) = (values(3 * 4, &mut Rng::new(4)), values(3 * 4, &mut Rng::new(5)));
        let reference = |a: &[f64]| {
            a.chunks(4)
                .zip(b.chunks(4))
                .map(|(x, y)| x.iter().zip(y).map(|(u, v)| u * v).sum())
                .collect()
        };
        let device = crate::device::default().autodiff();
        let tb = data(&b, [3, 4], &device);
        check_op("dot", &a, [3, 4], reference, |t| {
            flat_val(apply(
                "dot",
                &[],
                vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
                3,
            ))
        });
    }
}
