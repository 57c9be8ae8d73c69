//! A convolution and the BatchNorm after it, as a ResNet has them. The norm normalises with the
//! batch's statistics in training; with running statistics it also keeps their averages
//! (PyTorch's: momentum 0.1, the unbiased variance) when the pass trains the network, and
//! evaluation uses those instead, as torchvision's `eval()` does.

use burn::module::{Module, Param, RunningState};
use burn::nn::Initializer;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::{Device, Tensor};

use crate::nets::batchnorm::{EPS, normalise_with_moments};
use crate::nets::{Pass, init};

/// Weight of a batch's statistics in the running averages, as PyTorch's default.
const MOMENTUM: f64 = 0.1;

/// Running averages of a norm's batch statistics, and how many batches went into them.
#[derive(Module, Debug)]
pub struct Running {
    pub mean: RunningState<Tensor<1>>,
    pub var: RunningState<Tensor<1>>,
    /// `[1]`: training batches seen (torchvision's `num_batches_tracked`).
    pub batches: RunningState<Tensor<1>>,
}

impl Running {
    fn new(width: usize, device: &Device) -> Self {
        Running {
            mean: RunningState::new(Tensor::zeros([init::running_width(width)], device)),
            var: RunningState::new(Tensor::ones([init::running_width(width)], device)),
            batches: RunningState::new(Tensor::zeros([1], device)),
        }
    }

    /// Moves the averages towards one batch's mean and unbiased variance.
    fn update(&self, mean: Tensor<1>, var: Tensor<1>) {
        let towards = |batch: Tensor<1>| {
            move |old: Tensor<1>| old.mul_scalar(1.0 - MOMENTUM).add(batch.detach().mul_scalar(MOMENTUM))
        };
        advance(&self.mean, towards(mean));
        advance(&self.var, towards(var));
        advance(&self.batches, |n| n.add_scalar(1.0));
    }
}

/// Replaces a running state's value by `next(value)`, folded in at once so that what visits the
/// module (checkpoints, EMA, export) sees it.
fn advance(state: &RunningState<Tensor<1>>, next: impl FnOnce(Tensor<1>) -> Tensor<1>) {
    state.update(next(state.value_sync()));
    state.value_sync();
}

/// BatchNorm over the channels of a feature map.
#[derive(Module, Debug)]
pub struct ChannelNorm {
    pub gamma: Param<Tensor<1>>,
    pub beta: Param<Tensor<1>>,
    pub running: Option<Running>,
}

impl ChannelNorm {
    fn new(width: usize, running: bool, device: &Device) -> Self {
        ChannelNorm {
            gamma: init::param([width], device, || Tensor::ones([width], device)),
            beta: init::param([width], device, || Tensor::zeros([width], device)),
            running: running.then(|| Running::new(width, device)),
        }
    }

    /// `x`: `[batch, channels, h, w]`, each channel normalised over the batch's pixels, then
    /// scaled and shifted.
    fn forward(&self, x: Tensor<4>, pass: Pass) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        // `[images, pixels, channels]`: each statistic is summed over an image's pixels, then
        // over the images (see `moments`).
        let maps = x.permute([0, 2, 3, 1]).reshape([b, h * w, c]);
        let normalised = match (&self.running, pass) {
            (Some(r), Pass::Infer) => {
                let device = maps.device();
                let mean = r.mean.value().to_device(&device).reshape([1, 1, c]);
                let std = r
                    .var
                    .value()
                    .to_device(&device)
                    .add_scalar(EPS)
                    .sqrt()
                    .reshape([1, 1, c]);
                (maps - mean) / std
            }
            (running, pass) => {
                let (normalised, mean, var) = moments(maps);
                if let (Some(r), Pass::Learn) = (running, pass) {
                    let n = (b * h * w) as f64;
                    let unbiased = var.mul_scalar(n / (n - 1.0).max(1.0));
                    r.update(mean.reshape([c]), unbiased.reshape([c]));
                }
                normalised
            }
        };
        (normalised * self.gamma.val().reshape([1, 1, c]) + self.beta.val().reshape([1, 1, c]))
            .reshape([b, h, w, c])
            .permute([0, 3, 1, 2])
    }
}

/// `maps` `[images, pixels, channels]` normalised per channel with the batch's statistics, and
/// the mean and biased variance, `[1, 1, channels]` each. A map has many pixels (131,072 a
/// channel for 128 images of 32×32), and a sum of that many floats taken in one running total
/// loses digits that BatchNorm's backward, a difference of nearly equal sums, then magnifies:
/// summed per image first and then over the images, the totals (forward, and backward, where
/// the broadcasts reduce the same two ways) stay within float rounding of PyTorch's. Across
/// ranks (SyncBatchNorm) the rows' form is used.
fn moments(maps: Tensor<3>) -> (Tensor<3>, Tensor<3>, Tensor<3>) {
    let [b, p, c] = maps.dims();
    if crate::dist::sync_batchnorm() {
        let (normalised, mean, var) = normalise_with_moments(maps.reshape([b * p, c]));
        return (
            normalised.reshape([b, p, c]),
            mean.reshape([1, 1, c]),
            var.reshape([1, 1, c]),
        );
    }
    let mean = maps.clone().mean_dim(1).mean_dim(0);
    let centred = maps - mean.clone();
    let var = centred.clone().powf_scalar(2.0).mean_dim(1).mean_dim(0);
    (centred / var.clone().add_scalar(EPS).sqrt(), mean, var)
}

/// A convolution without bias followed by its BatchNorm.
#[derive(Module, Debug)]
pub struct ConvBn {
    pub conv: Conv2d,
    pub bn: ChannelNorm,
}

impl ConvBn {
    /// A `kernel`×`kernel` convolution from `input` to `out` channels at `stride`, padded to
    /// keep the size at stride 1, initialised as torchvision does (He normal, fan out).
    pub fn new(input: usize, out: usize, kernel: usize, stride: usize, running: bool, device: &Device) -> Self {
        let pad = kernel / 2;
        ConvBn {
            conv: Conv2dConfig::new([input, out], [kernel, kernel])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_bias(false)
                .with_initializer(Initializer::KaimingNormal {
                    gain: 2f64.sqrt(),
                    fan_out_only: true,
                })
                .init(device),
            bn: ChannelNorm::new(out, running, device),
        }
    }

    pub fn forward(&self, x: Tensor<4>, pass: Pass) -> Tensor<4> {
        self.bn.forward(crate::precision::conv2d(&self.conv, x), pass)
    }
}
