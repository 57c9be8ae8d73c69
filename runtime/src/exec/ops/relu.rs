//! `relu(x)`: max(x, 0) elementwise, any shape.

use burn::tensor::activation::relu;
use sslc_compiler::plan::ops::Relu;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Relu {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        Ok(x.take(self.x)?.map(relu, relu, relu, relu))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_views;

    #[test]
    fn relu_matches_its_formula() {
        check_views("relu", |x| x.iter().map(|v| v.max(0.0)).collect());
    }
}
