//! Attention on libtorch: on its CPU device PyTorch's own flash-attention kernels, forward
//! (which also returns the rows' log-sum-exp) and backward, the pair PyTorch's autograd runs for
//! `scaled_dot_product_attention`; on CUDA, fused forward and the recomputing backward.

#![allow(deprecated)] // burn-tch is deprecated upstream; it stays opt-in here.

use burn::backend::LibTorch;
use burn::backend::libtorch::TchTensor;
use burn::backend::tensor::FloatTensor;

use super::{Attend, recompute};
use crate::own::Own;

/// What the forward keeps: the flash kernel's inputs, output and log-sum-exp, or the
/// recomputing backward's state.
#[derive(Clone, Debug)]
pub enum Saved {
    Flash {
        q: TchTensor,
        k: TchTensor,
        v: TchTensor,
        out: TchTensor,
        lse: TchTensor,
    },
    Recompute(recompute::Saved<LibTorch>),
}

impl Own<LibTorch, 3> for Attend {
    type Saved = Saved;

    fn forward(&self, [q, k, v]: [FloatTensor<LibTorch>; 3]) -> (FloatTensor<LibTorch>, Saved) {
        if q.tensor.device() != tch::Device::Cpu {
            let (out, saved) = recompute::forward::<LibTorch>(q, k, v);
            return (out, Saved::Recompute(saved));
        }
        let (out, lse) = tch::Tensor::internal_scaled_dot_product_flash_attention_for_cpu(
            &q.tensor,
            &k.tensor,
            &v.tensor,
            0.0,
            false,
            None::<tch::Tensor>,
            None,
        );
        let out = TchTensor::new(out);
        let saved = Saved::Flash {
            q,
            k,
            v,
            out: out.clone(),
            lse: TchTensor::new(lse),
        };
        (out, saved)
    }

    fn infer(&self, [q, k, v]: [FloatTensor<LibTorch>; 3]) -> FloatTensor<LibTorch> {
        recompute::fused::<LibTorch>(q, k, v)
    }

    fn backward(self, saved: Saved, grad: FloatTensor<LibTorch>) -> [FloatTensor<LibTorch>; 3] {
        match saved {
            Saved::Flash { q, k, v, out, lse } => {
                let (dq, dk, dv) = tch::Tensor::internal_scaled_dot_product_flash_attention_for_cpu_backward(
                    &grad.tensor,
                    &q.tensor,
                    &k.tensor,
                    &v.tensor,
                    &out.tensor,
                    &lse.tensor,
                    0.0,
                    false,
                    None::<tch::Tensor>,
                    None,
                );
                [TchTensor::new(dq), TchTensor::new(dk), TchTensor::new(dv)]
            }
            Saved::Recompute(saved) => recompute::backward::<LibTorch>(saved, grad),
        }
    }
}
