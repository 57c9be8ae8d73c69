//! `sum(x)`: the sum of every value belonging to each image. Any value with `images·k` rows →
//! scalar `[images]`.

use sslc_compiler::plan::ops::Sum;

use super::{Env, Forward, Inputs, flat};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Sum {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = flat(x.take(self.x)?)?;
        let n = t.dims()[0];
        let per = t.reshape([env.images, n / env.images.max(1)]);
        Ok(Val::Scalar(per.sum_dim(1).flatten(0, 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_views;

    #[test]
    fn sum_gives_one_value_per_image() {
        check_views("sum", |x| x.chunks(6).map(|c| c.iter().sum()).collect());
    }
}
