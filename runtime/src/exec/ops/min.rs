//! `min(x, over: axis)`: the smallest value over the axis (the gradient to it); the type loses the axis (`registry::reduced`).

use sslc_compiler::plan::ops::Min;

use super::{Env, Forward, Inputs, reduce};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Min {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        reduce(x, &env, self.x, self.over, |t, d| t.min_dim(d))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_reduction;

    #[test]
    fn min_over_each_axis_matches_its_formula() {
        check_reduction("min", |g| g.iter().cloned().fold(f64::MAX, f64::min));
    }
}
