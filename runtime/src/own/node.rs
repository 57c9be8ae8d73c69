//! The autodiff node of an [`Own`] op: its inputs' nodes as parents, its backward the op's.

use burn::backend::Backend;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;

use super::{Ad, Own};

#[derive(Debug)]
struct Node<O>(O);

impl<B: Backend, O: Own<B, N>, const N: usize> Backward<B, N> for Node<O> {
    type State = O::Saved;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = grads.consume::<B>(&ops.node);
        let grads_in = self.0.backward(ops.state, grad);
        for (parent, g) in ops.parents.into_iter().zip(grads_in) {
            if let Some(node) = parent {
                grads.register::<B>(node.id, g);
            }
        }
    }
}

/// `op` applied to `inputs`, recorded as one node when any input is tracked.
pub fn record<B: Backend, O: Own<B, N>, const N: usize>(op: O, inputs: [FloatTensor<Ad<B>>; N]) -> FloatTensor<Ad<B>> {
    let (prims, nodes): (Vec<_>, Vec<_>) = inputs.into_iter().map(|t| t.into_parts()).unzip();
    let prims: [FloatTensor<B>; N] = prims.try_into().unwrap_or_else(|_| unreachable!("N inputs"));
    let nodes = nodes.try_into().unwrap_or_else(|_| unreachable!("N inputs"));
    match Node(op.clone())
        .prepare::<NoCheckpointing>(nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let (out, saved) = op.forward(prims);
            prep.finish(saved, out)
        }
        OpsKind::UnTracked(prep) => prep.finish(op.infer(prims)),
    }
}
