//! State an op keeps across steps: DINO's teacher center, an EMA of the teacher logits' mean.

use std::sync::Mutex;

use burn::tensor::Tensor;

/// One op's state (each stateful step of a plan owns one).
#[derive(Debug, Default)]
pub struct OpState {
    center: Mutex<Option<Tensor<1>>>,
}

impl OpState {
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

    /// The current centre, if a step has set one.
    pub fn get(&self) -> Option<Tensor<1>> {
        self.center.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sets the centre (a run resumed from a checkpoint).
    pub fn set(&self, center: Tensor<1>) {
        *self.center.lock().unwrap_or_else(|e| e.into_inner()) = Some(center);
    }
}
