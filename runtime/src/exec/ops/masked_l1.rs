//! `masked_l1(pred, target, mask)`: the mean of |pred − target| over the features of masked tokens only. `[b, n, d]`, `[b, n, d]`, mask over n → `[1]`.

use sslc_compiler::plan::ops::MaskedL1;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for MaskedL1 {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let pred = x.take(self.pred)?.tokens()?;
        let target = x.take(self.target)?.tokens()?;
        let mask = x.take(self.mask)?.mask()?;
        Ok(Val::Scalar(losses::masked_l1(pred, target, mask.masked)))
    }
}
