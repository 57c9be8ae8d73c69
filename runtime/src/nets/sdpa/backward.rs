//! The autodiff step: a node with q, k and v as parents whose backward is the backend's
//! [`Kernel::attention_backward`].

use burn::backend::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{DispatchKindConversion, DispatchTensor};
use burn::tensor::Tensor;
use burn::tensor::ops::AttentionModuleOptions;

use super::Kernel;

/// sslc trains without gradient checkpointing (`Device::autodiff()`'s default).
type Ad<B> = Autodiff<B, NoCheckpointing>;

#[derive(Debug)]
struct Attend;

impl<B: Kernel> Backward<B, 3> for Attend {
    type State = B::Saved;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let grad = grads.consume::<B>(&ops.node);
        let grads_in = B::attention_backward(ops.state, grad);
        for (parent, g) in ops.parents.into_iter().zip(grads_in) {
            if let Some(node) = parent {
                grads.register::<B>(node.id, g);
            }
        }
    }
}

/// The attention of q, k and v tracked on `Autodiff<B>`, or the inputs back when they are not
/// tensors of that backend.
pub fn tracked<B: Kernel>(
    q: Tensor<4>,
    k: Tensor<4>,
    v: Tensor<4>,
) -> Result<Tensor<4>, (Tensor<4>, Tensor<4>, Tensor<4>)>
where
    DispatchTensor: DispatchKindConversion<Ad<B>>,
{
    let (Ok(qa), Ok(ka), Ok(va)) = (
        q.clone().try_into_primitive::<Ad<B>>(),
        k.clone().try_into_primitive::<Ad<B>>(),
        v.clone().try_into_primitive::<Ad<B>>(),
    ) else {
        return Err((q, k, v));
    };
    let (qp, qn) = qa.into_parts();
    let (kp, kn) = ka.into_parts();
    let (vp, vn) = va.into_parts();
    let out = match Attend
        .prepare::<NoCheckpointing>([qn, kn, vn])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let (out, saved) = B::attention_forward(qp, kp, vp);
            prep.finish(saved, out)
        }
        OpsKind::UnTracked(prep) => {
            prep.finish(B::attention(qp, kp, vp, None, None, AttentionModuleOptions::default()))
        }
    };
    Ok(Tensor::from_primitive::<Ad<B>>(out))
}
