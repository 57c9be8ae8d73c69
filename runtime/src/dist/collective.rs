//! The collectives a step uses, on libtorch's tensors: gathering rows and summing, each with
//! its gradient as one node of burn's autodiff (`own`), and small host values.

#![allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.

use burn::backend::LibTorch;
use burn::backend::libtorch::TchTensor;
use burn::backend::tensor::FloatTensor;
use burn::tensor::Tensor;

use super::{World, fail};
use crate::error::RunError;
use crate::own::{Own, lift, lower, record};

/// The libtorch tensor of a plain value.
fn tch_of<const D: usize>(t: &Tensor<D>) -> Result<tch::Tensor, RunError> {
    t.clone()
        .try_into_primitive::<LibTorch>()
        .map(|p| p.tensor)
        .map_err(|_| RunError::Distributed("a value off libtorch reached a collective".into()))
}

fn burn_of<const D: usize>(t: tch::Tensor) -> Tensor<D> {
    Tensor::from_primitive::<LibTorch>(TchTensor::new(t))
}

/// `t` gathered, or `t` itself with the failure kept for the step.
fn gathered(w: &World, t: &tch::Tensor) -> tch::Tensor {
    w.group.all_gather(t).unwrap_or_else(|e| {
        fail(w.failed("gathering a batch-wide value", e));
        tch::Tensor::cat(&(0..w.size).map(|_| t.shallow_clone()).collect::<Vec<_>>(), 0)
    })
}

/// A copy of `t` summed over the ranks.
fn summed(w: &World, t: &tch::Tensor) -> tch::Tensor {
    let out = t.contiguous().copy();
    if let Err(e) = w.group.all_reduce_sum(&out) {
        fail(w.failed("summing over the ranks", e));
    }
    out
}

/// Every rank's rows; the gradient of the gathered rows is summed over the ranks (each rank's
/// loss saw every row) and each rank keeps its own rows' part.
#[derive(Clone, Copy, Debug)]
struct Gather(&'static World);

impl Own<LibTorch, 1> for Gather {
    type Saved = i64;

    fn forward(&self, [x]: [FloatTensor<LibTorch>; 1]) -> (FloatTensor<LibTorch>, i64) {
        let rows = x.tensor.size().first().copied().unwrap_or(0);
        (TchTensor::new(gathered(self.0, &x.tensor)), rows)
    }

    fn infer(&self, [x]: [FloatTensor<LibTorch>; 1]) -> FloatTensor<LibTorch> {
        TchTensor::new(gathered(self.0, &x.tensor))
    }

    fn backward(self, rows: i64, grad: FloatTensor<LibTorch>) -> [FloatTensor<LibTorch>; 1] {
        let total = summed(self.0, &grad.tensor);
        let own = total.narrow(0, self.0.rank as i64 * rows, rows).contiguous();
        [TchTensor::new(own)]
    }
}

/// The sum over the ranks; its gradient is the sum of every rank's.
#[derive(Clone, Copy, Debug)]
struct Sum(&'static World);

impl Own<LibTorch, 1> for Sum {
    type Saved = ();

    fn forward(&self, [x]: [FloatTensor<LibTorch>; 1]) -> (FloatTensor<LibTorch>, ()) {
        (TchTensor::new(summed(self.0, &x.tensor)), ())
    }

    fn infer(&self, [x]: [FloatTensor<LibTorch>; 1]) -> FloatTensor<LibTorch> {
        TchTensor::new(summed(self.0, &x.tensor))
    }

    fn backward(self, _: (), grad: FloatTensor<LibTorch>) -> [FloatTensor<LibTorch>; 1] {
        [TchTensor::new(summed(self.0, &grad.tensor))]
    }
}

/// `t`'s rows from every rank (see [`Gather`]).
pub fn gather<const D: usize>(w: &'static World, t: Tensor<D>) -> Result<Tensor<D>, RunError> {
    if t.is_autodiff()
        && let Some(x) = lift::<LibTorch, D>(&t)
    {
        return Ok(lower(record(Gather(w), [x])));
    }
    Ok(burn_of(gathered(w, &tch_of(&t.inner())?)))
}

/// `t` summed over the ranks (see [`Sum`]).
pub fn sum<const D: usize>(w: &'static World, t: Tensor<D>) -> Result<Tensor<D>, RunError> {
    if t.is_autodiff()
        && let Some(x) = lift::<LibTorch, D>(&t)
    {
        return Ok(lower(record(Sum(w), [x])));
    }
    Ok(burn_of(summed(w, &tch_of(&t.inner())?)))
}

/// A host vector as a tensor where the engine moves it (NCCL: this rank's GPU).
fn host_tensor(w: &World, values: &[f64]) -> tch::Tensor {
    let t = tch::Tensor::from_slice(values);
    match w.gpu {
        Some(gpu) => t.to_device(tch::Device::Cuda(gpu)),
        None => t,
    }
}

fn host_values(t: &tch::Tensor) -> Result<Vec<f64>, RunError> {
    Vec::<f64>::try_from(&t.to_device(tch::Device::Cpu).flatten(0, -1))
        .map_err(|e| RunError::Distributed(format!("reading a summed value: {e}")))
}

pub fn sum_host(w: &World, values: &[f64]) -> Result<Vec<f64>, RunError> {
    let t = host_tensor(w, values);
    w.group
        .all_reduce_sum(&t)
        .map_err(|e| w.failed("summing the step's losses", e))?;
    host_values(&t)
}

pub fn gather_host(w: &World, value: f64) -> Result<Vec<f64>, RunError> {
    let t = host_tensor(w, &[value]);
    let all = w
        .group
        .all_gather(&t)
        .map_err(|e| w.failed("comparing the ranks' weights", e))?;
    host_values(&all)
}
