//! The slots of one batch's run: computed values, and those a side thread is still computing.

use std::thread::ScopedJoinHandle;

use crate::error::RunError;
use crate::val::Val;

/// The slots of one run: values, and the values a side thread is still computing.
pub(super) struct Slots<'scope> {
    values: Vec<Option<Val>>,
    pending: Vec<Option<ScopedJoinHandle<'scope, Result<Val, RunError>>>>,
}

impl<'scope> Slots<'scope> {
    pub fn new(n: usize) -> Self {
        Slots {
            values: vec![None; n],
            pending: (0..n).map(|_| None).collect(),
        }
    }

    /// Puts the value of `slot`.
    pub fn put(&mut self, slot: usize, v: Val) {
        self.values[slot] = Some(v);
    }

    /// Lets a side thread compute `slot`.
    pub fn start(&mut self, slot: usize, job: ScopedJoinHandle<'scope, Result<Val, RunError>>) {
        self.pending[slot] = Some(job);
    }

    /// A copy of the value of `slot`, if it holds one now.
    pub fn peek(&self, slot: usize) -> Option<Val> {
        self.values[slot].clone()
    }

    /// Frees the value of `slot`.
    pub fn free(&mut self, slot: usize) {
        self.values[slot] = None;
    }

    /// Whether a side thread is still computing.
    pub fn busy(&self) -> bool {
        self.pending.iter().flatten().any(|job| !job.is_finished())
    }

    /// Whether `slot` holds a value now (not one a side thread is still computing).
    pub fn ready(&self, slot: usize) -> bool {
        self.values[slot].is_some()
    }

    /// Waits for slot `slot` if a side thread computes it.
    pub fn join(&mut self, slot: usize) -> Result<(), RunError> {
        if let Some(job) = self.pending[slot].take() {
            let v = job.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            self.values[slot] = Some(v);
        }
        Ok(())
    }

    /// The value of `slot`, moved out when this is its last reading.
    pub fn read(&mut self, slot: usize, last: bool) -> Result<Val, RunError> {
        self.join(slot)?;
        let v = if last {
            self.values[slot].take()
        } else {
            self.values[slot].clone()
        };
        v.ok_or_else(|| RunError::Internal(format!("slot ${slot} read before it was written")))
    }

    /// Every slot once the side threads are done.
    pub fn finish(mut self) -> Result<Vec<Option<Val>>, RunError> {
        for slot in 0..self.pending.len() {
            self.join(slot)?;
        }
        Ok(self.values)
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;

    use super::*;

    fn scalar(x: f32) -> Val {
        Val::Scalar(Tensor::<1>::from_floats([x], &crate::device::default()))
    }

    fn value(v: Val) -> f32 {
        v.scalar().expect("a scalar").into_scalar()
    }

    #[test]
    fn a_last_reading_moves_the_value_out() {
        let mut slots = Slots::new(2);
        slots.put(1, scalar(3.0));
        assert_eq!(value(slots.read(1, false).expect("written")), 3.0);
        assert_eq!(value(slots.read(1, true).expect("still there")), 3.0);
        assert!(!slots.ready(1));
        assert!(matches!(slots.read(1, true), Err(RunError::Internal(_))));
    }

    #[test]
    fn a_side_thread_value_is_joined_at_its_reader_and_at_the_end() {
        std::thread::scope(|scope| {
            let mut slots = Slots::new(3);
            slots.start(0, scope.spawn(|| Ok(scalar(1.5))));
            slots.start(2, scope.spawn(|| Ok(scalar(-2.0))));
            assert!(!slots.ready(0));
            assert_eq!(value(slots.read(0, true).expect("joined")), 1.5);
            let left = slots.finish().expect("joined");
            assert!(left[0].is_none() && left[1].is_none());
            assert_eq!(value(left[2].clone().expect("the unread side value")), -2.0);
        });
    }

    #[test]
    fn slots_are_busy_while_a_side_thread_computes() {
        let (go, wait) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|scope| {
            let mut slots = Slots::new(1);
            assert!(!slots.busy());
            slots.start(
                0,
                scope.spawn(move || {
                    wait.recv().expect("the go");
                    Ok(scalar(4.0))
                }),
            );
            assert!(slots.busy());
            go.send(()).expect("the side thread waits");
            while slots.busy() {
                std::thread::yield_now();
            }
            assert_eq!(value(slots.read(0, true).expect("joined")), 4.0);
        });
    }

    #[test]
    fn a_side_thread_error_reaches_the_reader() {
        std::thread::scope(|scope| {
            let mut slots = Slots::new(1);
            slots.start(0, scope.spawn(|| Err(RunError::Internal("no such network".into()))));
            assert!(matches!(slots.read(0, false), Err(RunError::Internal(m)) if m == "no such network"));
        });
    }
}
