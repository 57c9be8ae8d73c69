//! `queue(x, size: N)`: a memory of the last N rows of x across steps, first in first out. The
//! value is the memory before this step's rows go in, `[N, d]`; then they go in (detached) and
//! the oldest go out. The memory is the step's state, so every reader of the name sees the same
//! one and checkpoints keep it.

use sslc_compiler::plan::ops::Queue;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Queue {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let rows = x.take(self.x)?.vectors()?;
        let state = env
            .state
            .ok_or_else(|| RunError::Internal("queue run without its state".into()))?;
        Ok(Val::Bank(state.queue(rows, self.size)))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;

    use super::super::check::data;
    use crate::exec::state::OpState;

    fn rows(values: &[f64], d: usize) -> Tensor<2> {
        data(values, [values.len() / d, d], &crate::device::default())
    }

    fn read(t: Tensor<2>) -> Vec<f32> {
        t.try_into_vec_as::<f32>().expect("values")
    }

    #[test]
    fn a_queue_shows_the_memory_before_the_step_then_keeps_the_newest_rows_first() {
        let state = OpState::default();
        let start = read(state.queue(rows(&[1.0, 0.0, 0.0, 2.0], 2), 3));
        // It starts as three random unit vectors.
        assert_eq!(start.len(), 6);
        for r in start.chunks(2) {
            assert!(((r[0] * r[0] + r[1] * r[1]).sqrt() - 1.0).abs() < 1e-5, "{r:?}");
        }
        // Two rows went in front; the oldest start row was dropped.
        let second = read(state.queue(rows(&[5.0, 5.0], 2), 3));
        assert_eq!(second[..4], [1.0, 0.0, 0.0, 2.0]);
        assert_eq!(second[4..], start[..2]);
        let third = read(state.queue(rows(&[7.0, 7.0], 2), 3));
        assert_eq!(third, [5.0, 5.0, 1.0, 0.0, 0.0, 2.0]);
        // More rows than the memory holds: the last ones stay.
        state.queue(rows(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0], 2), 3);
        let full = read(state.queue(rows(&[0.0, 0.0], 2), 3));
        assert_eq!(full, [2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
    }

    #[test]
    fn what_goes_in_carries_no_gradient_and_the_memory_follows_the_reader_to_its_device() {
        let state = OpState::default();
        let device = crate::device::default().autodiff();
        let x = data(&[1.0, 2.0], [1, 2], &device).require_grad();
        let first = state.queue(x.clone(), 1);
        assert!(first.is_autodiff());
        let bank = state.queue(x.clone().mul_scalar(3.0), 1);
        assert_eq!(read(bank.clone()), [1.0, 2.0]);
        // The memory is a constant of the step: beside x's own term, it adds no gradient.
        let grads = (bank.sum() + x.clone().sum()).backward();
        let g: Vec<f32> = x.grad(&grads).expect("x's own term").try_into_vec_as().expect("grad");
        assert_eq!(g, [1.0, 1.0]);
    }
}
