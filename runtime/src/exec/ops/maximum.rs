//! `maximum(a, b)`: max(a, b) elementwise, with the broadcasting rules of arithmetic.

use sslc_compiler::plan::ops::Maximum;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::arith::{self, Binary};
use crate::val::Val;

impl Forward for Maximum {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let a = x.take(self.a)?;
        let b = x.take(self.b)?;
        arith::binary(Binary::Max, a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn maximum_takes_the_larger_of_each_pair() {
        let (a, b) = (values(2 * 3, &mut Rng::new(9)), values(2 * 3, &mut Rng::new(10)));
        let reference = |a: &[f64]| a.iter().zip(&b).map(|(x, y)| x.max(*y)).collect();
        let device = crate::device::default().autodiff();
        let tb = data(&b, [2, 3], &device);
        check_op("maximum", &a, [2, 3], reference, |t| {
            flat_val(apply(
                "maximum",
                &[],
                vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
                2,
            ))
        });
    }
}
