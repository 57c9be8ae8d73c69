//! `sinkhorn(cost, rows, cols, eps, iters)`: the entropic optimal transport plan for a cost matrix
//! `[b, n, m]` and marginals, by `iters` log-domain Sinkhorn iterations. → `[b, n, m]`.

use sslc_compiler::plan::ops::Sinkhorn;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::transport;
use crate::val::Val;

impl Forward for Sinkhorn {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        Ok(Val::Matrix(transport::sinkhorn(
            x.take(self.cost)?.matrix()?,
            x.take(self.rows)?.scalar()?,
            x.take(self.cols)?.scalar()?,
            env.at(&self.eps),
            self.iters,
        )))
    }
}
