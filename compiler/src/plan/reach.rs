//! Which trainable networks a loss term can send gradient to: those it reads through values
//! that carry gradient (no `sg`, no other `#[no_grad]` op, no EMA or frozen branch between).

use super::{BranchId, BranchKind, NetId, Plan, Slot, StepKind};

/// A trainable network as a step applies it: `(branch, network)`.
pub type Reached = (BranchId, NetId);

impl Plan {
    /// The trainable networks loss `loss` (an index into `losses`) reaches, in plan order.
    pub fn reached_by(&self, loss: usize) -> Vec<Reached> {
        let Some(l) = self.losses.get(loss) else {
            return vec![];
        };
        let producer = |slot: Slot| self.steps.iter().position(|s| s.output == slot);
        let mut seen = vec![false; self.steps.len()];
        let mut todo: Vec<usize> = producer(l.slot).into_iter().collect();
        while let Some(i) = todo.pop() {
            let step = &self.steps[i];
            // A value that carries no gradient ends the walk: nothing behind it is reached.
            if std::mem::replace(&mut seen[i], true) || !step.grad {
                continue;
            }
            todo.extend(step.inputs.iter().filter_map(|i| producer(i.slot)));
        }
        let trainable = |branch: BranchId| self.branch(branch).is_some_and(|b| b.kind == BranchKind::Trainable);
        let mut reached: Vec<Reached> = vec![];
        for (i, step) in self.steps.iter().enumerate() {
            if let (true, StepKind::Net { branch, net, .. }) = (seen[i] && step.grad, &step.kind) {
                let pair = (*branch, *net);
                if trainable(*branch) && !reached.contains(&pair) {
                    reached.push(pair);
                }
            }
        }
        reached
    }
}
