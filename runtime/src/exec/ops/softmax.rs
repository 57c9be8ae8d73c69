//! `softmax(x, temperature: τ)`: softmax(x/τ) over the last axis of vectors `[b, d]`, tokens or
//! slots `[b, n, d]`.

use burn::tensor::activation::softmax;
use sslc_compiler::plan::ops::Softmax;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Softmax {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = env.at(&self.temperature);
        x.take(self.x)?.map_rows("softmax", |v| softmax(v.div_scalar(t), 2))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;
    use sslc_compiler::value::Param;

    #[test]
    fn softmax_matches_its_formula() {
        let x = values(3 * 4, &mut Rng::new(8));
        let reference = |x: &[f64]| {
            x.chunks(4)
                .flat_map(|r| {
                    let e: Vec<f64> = r.iter().map(|v| (v / 0.5).exp()).collect();
                    let z: f64 = e.iter().sum();
                    e.into_iter().map(move |v| v / z)
                })
                .collect()
        };
        check_op("softmax", &x, [3, 4], reference, |t| {
            flat_val(apply(
                "softmax",
                &[("temperature", Param::Num(0.5))],
                vec![("x", Val::Vectors(t))],
                3,
            ))
        });
    }
}
