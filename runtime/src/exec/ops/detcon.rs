//! `detcon(pred_a, pred_b, proj_a, proj_b, temperature: τ)`: DetCon-B's multi-positive InfoNCE over segment slots `[b, s, d]`: each prediction against all projections of both views, positives sharing image and segment id, weighted by 1/#positives; symmetric → `[1]`.

use sslc_compiler::plan::ops::Detcon;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::losses;
use crate::exec::val::Val;

impl Forward for Detcon {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let slot = |v: Val| match v {
            Val::Slots(t, owners) => {
                let [r, s, d] = t.dims();
                Ok((t.reshape([r * s, d]), owners))
            }
            v => Err(RunError::Internal(format!("detcon of {}", v.kind()))),
        };
        let (pa, oa) = slot(x.take(self.pred_a)?)?;
        let (pb, ob) = slot(x.take(self.pred_b)?)?;
        let (ta, _) = slot(x.take(self.proj_a)?)?;
        let (tb, _) = slot(x.take(self.proj_b)?)?;
        let t = env.at(&self.temperature);
        Ok(Val::Scalar(losses::detcon(pa, pb, ta, tb, &oa, &ob, t)))
    }
}
