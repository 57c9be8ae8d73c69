//! The linear probe: a linear classifier trained on frozen, standardised features with its own
//! optimiser (SGD with momentum, weight decay, cosine learning rate), softmax cross-entropy for
//! single labels or per-class sigmoid cross-entropy for multi-labels. The gradient of a linear
//! layer under either loss is closed-form, so no autodiff graph is built.

use burn::tensor::activation::{log_sigmoid, log_softmax, sigmoid, softmax};
use burn::tensor::{Int, Tensor, TensorData};

use crate::rng::Rng;

/// Settings of a linear probe.
#[derive(Clone, Debug)]
pub struct LinearProbe {
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub momentum: f64,
    pub weight_decay: f64,
    pub seed: u64,
}

impl Default for LinearProbe {
    fn default() -> Self {
        LinearProbe {
            steps: 500,
            batch: 256,
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 1e-4,
            seed: 0,
        }
    }
}

/// Which loss the classifier minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Softmax cross-entropy against one-hot rows.
    Softmax,
    /// Sigmoid cross-entropy per class against multi-hot rows, summed over classes.
    Sigmoid,
}

/// A trained probe: standardisation learnt on the training features, then `x·W + b`.
pub struct Fitted {
    mean: Tensor<2>,
    scale: Tensor<2>,
    w: Tensor<2>,
    b: Tensor<1>,
}

impl Fitted {
    /// Class scores (logits), `[rows, classes]`.
    pub fn scores(&self, x: Tensor<2>) -> Tensor<2> {
        let z = x.sub(self.mean.clone()).div(self.scale.clone());
        z.matmul(self.w.clone()) + self.b.clone().unsqueeze()
    }
}

/// Mean loss over rows of `x·w + b` against `y`, and its gradients with respect to `w` and `b`.
pub fn loss_and_gradients(
    x: Tensor<2>,
    y: Tensor<2>,
    w: Tensor<2>,
    b: Tensor<1>,
    loss: Loss,
) -> (f32, Tensor<2>, Tensor<1>) {
    let n = x.dims()[0] as f32;
    let logits = x.clone().matmul(w) + b.unsqueeze();
    let (value, p) = match loss {
        Loss::Softmax => {
            let v = log_softmax(logits.clone(), 1).mul(y.clone()).sum().neg();
            (v, softmax(logits, 1))
        }
        Loss::Sigmoid => {
            let pos = log_sigmoid(logits.clone()).mul(y.clone());
            let neg = log_sigmoid(logits.clone().neg()).mul(y.clone().neg().add_scalar(1.0));
            ((pos + neg).sum().neg(), sigmoid(logits))
        }
    };
    let value = value
        .try_into_vec_as::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(f32::NAN)
        / n;
    let delta = (p - y).div_scalar(n);
    let gw = x.transpose().matmul(delta.clone());
    let gb = delta.sum_dim(0).squeeze_dim(0);
    (value, gw, gb)
}

impl LinearProbe {
    /// Trains on `x` (`[rows, dim]`) against `y` (`[rows, classes]`, one- or multi-hot).
    pub fn fit(&self, x: Tensor<2>, y: Tensor<2>, loss: Loss) -> Fitted {
        let device = x.device();
        let [n, d] = x.dims();
        let classes = y.dims()[1];
        let mean = x.clone().mean_dim(0);
        let scale = x
            .clone()
            .sub(mean.clone())
            .powi_scalar(2)
            .mean_dim(0)
            .sqrt()
            .clamp_min(1e-6);
        let x = x.sub(mean.clone()).div(scale.clone());
        let mut w = Tensor::<2>::zeros([d, classes], &device);
        let mut b = Tensor::<1>::zeros([classes], &device);
        let (mut vw, mut vb) = (w.zeros_like(), b.zeros_like());
        let batch = self.batch.clamp(1, n.max(1));
        let per_epoch = (n / batch).max(1);
        let mut order: Vec<usize> = vec![];
        for step in 0..self.steps {
            let within = step % per_epoch;
            if within == 0 {
                order = Rng::derive(self.seed, 0x11AE_A500, (step / per_epoch) as u64).permutation(n);
            }
            let rows: Vec<i64> = order[within * batch..(within + 1) * batch]
                .iter()
                .map(|i| *i as i64)
                .collect();
            let idx = Tensor::<1, Int>::from_data(TensorData::new(rows, [batch]), &device);
            let (_, gw, gb) = loss_and_gradients(
                x.clone().select(0, idx.clone()),
                y.clone().select(0, idx),
                w.clone(),
                b.clone(),
                loss,
            );
            let lr = self.lr * 0.5 * (1.0 + (std::f64::consts::PI * step as f64 / self.steps as f64).cos());
            let gw = gw + w.clone().mul_scalar(self.weight_decay);
            vw = vw.mul_scalar(self.momentum) + gw;
            vb = vb.mul_scalar(self.momentum) + gb;
            w = w - vw.clone().mul_scalar(lr);
            b = b - vb.clone().mul_scalar(lr);
        }
        Fitted { mean, scale, w, b }
    }
}
