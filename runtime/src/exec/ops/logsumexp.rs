//! `logsumexp(x, over: axis)`: log Σ exp(x) over the axis, less its largest value first; the type loses the axis (`registry::reduced`).

use sslc_compiler::plan::ops::LogSumExp;

use super::{Env, Forward, Inputs, reduce};
use crate::error::RunError;
use crate::val::Val;

/// log Σ exp over axis `d` of the four, kept: the largest value m (no gradient of its own)
/// taken out first, m + log Σ exp(x − m).
pub fn logsumexp(t: burn::tensor::Tensor<4>, d: usize) -> burn::tensor::Tensor<4> {
    let m = t.clone().max_dim(d).detach();
    let shape = t.dims();
    (t - m.clone().expand(shape)).exp().sum_dim(d).log() + m
}

impl Forward for LogSumExp {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        reduce(x, &env, self.x, self.over, logsumexp)
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_reduction;

    #[test]
    fn logsumexp_over_each_axis_matches_its_formula() {
        check_reduction("logsumexp", |g| {
            let m = g.iter().cloned().fold(f64::MIN, f64::max);
            m + g.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
        });
    }
}
