//! `layer_norm(x)`: each vector `[b, d]`, token or slot `[b, n, d]` standardised over its d
//! features (no affine).

use sslc_compiler::plan::ops::LayerNorm;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::layer_norm;
use crate::val::Val;

impl Forward for LayerNorm {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        x.take(self.x)?.map_rows("layer_norm", layer_norm)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, flat_val, ref_layer_norm, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn layer_norm_matches_its_formula() {
        let x = values(2 * 3 * 5, &mut Rng::new(2));
        check_op(
            "layer_norm",
            &x,
            [2, 3, 5],
            |x| ref_layer_norm(x, 5),
            |t| flat_val(apply("layer_norm", &[], vec![("x", Val::Tokens(t))], 2)),
        );
    }
}
