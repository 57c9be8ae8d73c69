//! `sum(x, over: axis)`: Σ over the axis; the type loses the axis (`registry::reduced`).

use sslc_compiler::plan::ops::Sum;

use super::{Env, Forward, Inputs, reduce};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Sum {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        reduce(x, &env, self.x, self.over, |t, d| t.sum_dim(d))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_reduction;

    #[test]
    fn sum_over_each_axis_matches_its_formula() {
        check_reduction("sum", |g| g.iter().sum());
    }
}
