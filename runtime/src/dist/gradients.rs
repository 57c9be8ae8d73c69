//! Gradients averaged over the ranks before the optimiser, as DDP does: flattened in the order
//! every rank visits its parameters, joined into buckets of about 25 MB, each bucket summed by
//! one all-reduce and divided by the number of ranks, then cut back into the gradients.

#![allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.

use burn::backend::LibTorch;
use burn::backend::libtorch::TchTensor;
use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

use super::World;
use crate::error::RunError;

/// The most bytes one all-reduce moves (PyTorch DDP's default bucket).
const BUCKET_BYTES: usize = 25 << 20;

/// Takes every gradient out, flattened, in visiting order.
struct Take<'a> {
    grads: &'a mut GradientsParams,
    taken: Vec<(ParamId, Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for Take<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(param.id) {
            let shape = g.dims().to_vec();
            self.taken.push((param.id, shape, g.flatten(0, D - 1)));
        }
    }
}

/// Puts the averaged gradients back, in the same order.
struct Put<'a> {
    grads: &'a mut GradientsParams,
    averaged: std::collections::HashMap<ParamId, (Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for Put<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some((shape, flat)) = self.averaged.remove(&param.id) {
            let dims: [usize; D] = std::array::from_fn(|i| shape[i]);
            self.grads.register::<D>(param.id, flat.reshape(dims));
        }
    }
}

/// Averages `grads` of `nets` over the ranks; the bytes all-reduced.
pub fn average<M: Module>(w: &World, nets: &[M], grads: &mut GradientsParams) -> Result<usize, RunError> {
    let mut take = Take { grads, taken: vec![] };
    for net in nets {
        net.visit(&mut take);
    }
    let Take { grads, taken } = take;
    let mut averaged = std::collections::HashMap::new();
    let mut moved = 0;
    let mut start = 0;
    while start < taken.len() {
        // A bucket: whole tensors, at least one, up to the byte budget.
        let mut end = start;
        let mut bytes = 0;
        while end < taken.len() && (end == start || bytes + taken[end].2.dims()[0] * 4 <= BUCKET_BYTES) {
            bytes += taken[end].2.dims()[0] * 4;
            end += 1;
        }
        let flats: Vec<Tensor<1>> = taken[start..end].iter().map(|(_, _, f)| f.clone()).collect();
        let joined = Tensor::cat(flats, 0);
        let t = joined
            .try_into_primitive::<LibTorch>()
            .map(|p| p.tensor.contiguous())
            .map_err(|_| RunError::Distributed("gradients off libtorch".into()))?;
        let t = t.copy();
        w.group
            .all_reduce_sum(&t)
            .map_err(|e| w.failed("averaging the gradients", e))?;
        let mean: Tensor<1> = Tensor::from_primitive::<LibTorch>(TchTensor::new(t / w.size as f64));
        let mut at = 0;
        for (id, shape, flat) in &taken[start..end] {
            let n = flat.dims()[0];
            averaged.insert(*id, (shape.clone(), mean.clone().narrow(0, at, n)));
            at += n;
        }
        moved += bytes;
        start = end;
    }
    let mut put = Put { grads, averaged };
    for net in nets {
        net.visit(&mut put);
    }
    Ok(moved)
}
