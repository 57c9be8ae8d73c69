//! State an op keeps across steps: DINO's teacher center, an EMA of the teacher logits' mean,
//! and a queue's memory of past vectors. Either is one flat tensor, which checkpoints keep.

use std::sync::Mutex;

use burn::tensor::{Tensor, TensorData};

use crate::rng::Rng;
use crate::tensor::{beside, l2norm};

/// The stream a queue's first memory is drawn from (item: the queue's place among the plan's
/// queues), beside the trainer's and the loader's streams.
pub const QUEUE_STREAM: u64 = 0x0_5EED_0300;

/// One op's state (each stateful step of a plan owns one).
#[derive(Debug, Default)]
pub struct OpState {
    center: Mutex<Option<Tensor<1>>>,
    /// The run's seed and the op's place among the plan's queues: where a queue's first memory
    /// comes from.
    start: (u64, u64),
}

impl OpState {
    /// The state of an op in a run seeded `seed`, the `ordinal`-th queue of its plan (0 for
    /// any other op): a queue's first memory is drawn from sslc's own generator, so it is the
    /// same on every backend and rank, and a twin can draw it too.
    pub fn seeded(seed: u64, ordinal: u64) -> OpState {
        OpState {
            center: Mutex::new(None),
            start: (seed, ordinal),
        }
    }

    /// Returns `b − c` with the current center `c`, then moves the center towards this batch:
    /// c ← m·c + (1 − m)·mean(b). The center starts at zero and carries no gradient.
    pub fn center(&self, b: Tensor<2>, m: f32) -> Tensor<2> {
        let batch_mean = b.clone().detach().mean_dim(0).squeeze_dim::<1>(0).inner();
        let mut guard = self.center.lock().unwrap_or_else(|e| e.into_inner());
        let current = guard.clone().unwrap_or_else(|| batch_mean.zeros_like());
        let centred = b - current.clone().unsqueeze_dim::<2>(0);
        *guard = Some(current.mul_scalar(m).add(batch_mean.mul_scalar(1.0 - m)));
        centred
    }

    /// Returns the memory of the last `size` rows as it stands, `[size, dim]`, then puts the
    /// rows of `x` in front (detached) and lets the oldest go: first in, first out. The memory
    /// starts as random unit vectors (MoCo's start): standard normal draws of
    /// `Rng::derive(seed, QUEUE_STREAM, ordinal)`, row by row, each row scaled to unit length.
    pub fn queue(&self, x: Tensor<2>, size: usize) -> Tensor<2> {
        let [rows, dim] = x.dims();
        let incoming = x.clone().detach().inner();
        let mut guard = self.center.lock().unwrap_or_else(|e| e.into_inner());
        let current = match guard.clone() {
            Some(flat) => flat.reshape([size, dim]),
            None => {
                let mut rng = Rng::derive(self.start.0, QUEUE_STREAM, self.start.1);
                let draws: Vec<f32> = (0..size * dim).map(|_| rng.normal()).collect();
                l2norm(Tensor::from_data(
                    TensorData::new(draws, [size, dim]),
                    &incoming.device(),
                ))
            }
        };
        let kept = size.saturating_sub(rows);
        let newest = incoming.clone().narrow(0, rows.saturating_sub(size), rows.min(size));
        let next = if kept == 0 {
            newest
        } else {
            Tensor::cat(vec![newest, current.clone().narrow(0, 0, kept)], 0)
        };
        *guard = Some(next.reshape([size * dim]));
        beside(current, &x)
    }

    /// m·s + (1 − m)·x for the state s (0 at first, on the device `x` is on), which then
    /// becomes that value, detached: an exponential moving average of a value for the batch
    /// whose gradient reaches this step's `x` only.
    pub fn ema(&self, x: Tensor<1>, m: f32) -> Tensor<1> {
        let mut guard = self.center.lock().unwrap_or_else(|e| e.into_inner());
        let current = match guard.clone() {
            Some(s) => beside(s, &x),
            None => x.clone().detach().zeros_like(),
        };
        let out = current.mul_scalar(m) + x.mul_scalar(1.0 - m);
        *guard = Some(out.clone().detach().inner());
        out
    }

    /// The current centre, if a step has set one.
    pub fn get(&self) -> Option<Tensor<1>> {
        self.center.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts back a centre as it was, set or not.
    pub fn replace(&self, center: Option<Tensor<1>>) {
        *self.center.lock().unwrap_or_else(|e| e.into_inner()) = center;
    }

    /// Sets the centre (a run resumed from a checkpoint).
    pub fn set(&self, center: Tensor<1>) {
        *self.center.lock().unwrap_or_else(|e| e.into_inner()) = Some(center);
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, Tensor, TensorData};

    use super::OpState;

    fn data(v: &[f64], shape: [usize; 2], device: &Device) -> Tensor<2> {
        let v: Vec<f32> = v.iter().map(|x| *x as f32).collect();
        Tensor::from_data(TensorData::new(v, shape), device)
    }

    #[test]
    fn a_queue_starts_from_sslcs_own_draws_for_its_seed_and_place() {
        let device = crate::device::default();
        let first = |seed, ordinal| -> Vec<f32> {
            OpState::seeded(seed, ordinal)
                .queue(data(&[0.0, 0.0, 0.0], [1, 3], &device), 4)
                .try_into_vec_as()
                .expect("values")
        };
        let mut rng = crate::rng::Rng::derive(7, super::QUEUE_STREAM, 1);
        let row: Vec<f32> = (0..3).map(|_| rng.normal()).collect();
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        let got = first(7, 1);
        for (g, r) in got[..3].iter().zip(&row) {
            assert!((g - r / norm).abs() < 1e-6, "{got:?} against {row:?}");
        }
        assert_eq!(got, first(7, 1), "the same seed and place, the same start");
        assert_ne!(got, first(7, 0), "another queue of the plan starts elsewhere");
        assert_ne!(got, first(8, 1), "another seed starts elsewhere");
    }

    #[test]
    fn dino_centering_subtracts_the_running_center_and_moves_it() {
        // Teacher logits arrive detached on the autodiff device, or on the plain one.
        for device in [crate::device::default(), crate::device::default().autodiff()] {
            centering_on(&device);
        }
    }

    fn centering_on(device: &Device) {
        let device = device.clone();
        let state = OpState::default();
        let b1 = vec![1.0, 2.0, 3.0, 5.0];
        let b2 = vec![0.0, 4.0, 2.0, 0.0];
        let m = 0.9;
        // First call: center 0, then c₁ = (1 − m)·mean(b1) = 0.1·(2, 3.5).
        let out1: Vec<f32> = state
            .center(data(&b1, [2, 2], &device), m)
            .try_into_vec_as()
            .expect("values");
        assert_eq!(out1, vec![1.0, 2.0, 3.0, 5.0]);
        let c1 = [0.1 * 2.0, 0.1 * 3.5];
        let out2: Vec<f32> = state
            .center(data(&b2, [2, 2], &device), m)
            .try_into_vec_as()
            .expect("values");
        for (i, (g, v)) in out2.iter().zip(&b2).enumerate() {
            let want = v - c1[i % 2];
            assert!((*g as f64 - want).abs() < 1e-6, "centred {g}, want {want}");
        }
    }
}
