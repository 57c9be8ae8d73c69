//! `mean(x, over: axis)`: the mean over the axis; the type loses the axis (`registry::reduced`).

use sslc_compiler::plan::ops::Mean;

use super::{Env, Forward, Inputs, reduce};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Mean {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        reduce(x, &env, self.x, self.over, |t, d| t.mean_dim(d))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_reduction;

    #[test]
    fn mean_over_each_axis_matches_its_formula() {
        check_reduction("mean", |g| g.iter().sum::<f64>() / g.len() as f64);
    }
}
