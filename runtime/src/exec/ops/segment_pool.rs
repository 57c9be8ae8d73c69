//! `segment_pool(x, segments, slots)`: the mean of the grid cells of each of `slots` segments
//! sampled per image. Tokens `[b, g², d]` and segment maps → slots `[b, slots, d]` with their
//! owners.

use sslc_compiler::plan::ops::SegmentPool;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::{segments, tokens};
use crate::val::Val;

impl Forward for SegmentPool {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let Val::Segments(maps) = x.take(self.segments)? else {
            return Err(RunError::Internal("segment_pool without segment maps".into()));
        };
        let (grid, g) = tokens::grid(t);
        let slots = self.slots;
        let (weights, ids) = segments::pooling(&maps, g, slots, &grid.device());
        let owners: Vec<(usize, i64)> = ids.iter().enumerate().map(|(k, id)| (k / slots, *id)).collect();
        Ok(Val::Slots(weights.matmul(grid), std::sync::Arc::new(owners)))
    }
}
