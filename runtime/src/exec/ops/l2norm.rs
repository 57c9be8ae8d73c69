//! `l2norm(x)`: each row of vectors `[b, d]`, tokens or slots `[b, n, d]` scaled to unit length,
//! x / max(‖x‖, 1e-12).

use sslc_compiler::plan::ops::L2Norm;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::val::Val;

impl Forward for L2Norm {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        x.take(self.x)?.map_rows("l2norm", l2norm)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, flat_val, ref_l2norm, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn l2norm_matches_its_formula() {
        let x = values(4 * 5, &mut Rng::new(1));
        check_op(
            "l2norm",
            &x,
            [4, 5],
            |x| ref_l2norm(x, 5),
            |t| flat_val(apply("l2norm", &[], vec![("x", Val::Vectors(t))], 4)),
        );
    }
}
