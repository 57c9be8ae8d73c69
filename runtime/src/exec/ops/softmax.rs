//! `softmax(x, temperature: τ)`: softmax(x/τ) over the last axis of vectors `[b, d]` or tokens `[b,
//! n, d]`.

use burn::tensor::activation::softmax;
use sslc_compiler::plan::ops::Softmax;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Softmax {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = env.at(&self.temperature);
        Ok(match x.take(self.x)? {
            Val::Vectors(v) => Val::Vectors(softmax(v.div_scalar(t), 1)),
            Val::Tokens(v) => Val::Tokens(softmax(v.div_scalar(t), 2)),
            v => return Err(RunError::Internal(format!("softmax of {}", v.kind()))),
        })
    }
}
