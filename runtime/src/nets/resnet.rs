//! A small ResNet: a 3×3 stem and four stages of one basic block each (widths ×1, ×2, ×4, ×8,
//! strides 1, 2, 2, 2), with batch-statistics BatchNorm. Its output is the final grid as tokens;
//! with taps, `concat(avgpool4(stage2), avgpool2(stage3), stage4)` (CYBORGS' dense features).

use burn::module::Module;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::batchnorm::BatchNorm;

/// A convolution without bias followed by BatchNorm over every pixel of the batch.
#[derive(Module, Debug)]
struct ConvBn {
    conv: Conv2d,
    bn: BatchNorm,
}

impl ConvBn {
    fn new(input: usize, out: usize, kernel: usize, stride: usize, device: &Device) -> Self {
        let pad = kernel / 2;
        ConvBn {
            conv: Conv2dConfig::new([input, out], [kernel, kernel])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_bias(false)
                .init(device),
            bn: BatchNorm::new(out, device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = self.conv.forward(x);
        let [b, c, h, w] = y.dims();
        let rows = y.permute([0, 2, 3, 1]).reshape([b * h * w, c]);
        self.bn.forward(rows).reshape([b, h, w, c]).permute([0, 3, 1, 2])
    }
}

/// `relu(bn(conv(relu(bn(conv(x))))) + shortcut(x))`; the shortcut is a strided 1×1 convolution
/// where the shape changes.
#[derive(Module, Debug)]
struct BasicBlock {
    a: ConvBn,
    b: ConvBn,
    shortcut: Option<ConvBn>,
}

impl BasicBlock {
    fn new(input: usize, out: usize, stride: usize, device: &Device) -> Self {
        BasicBlock {
            a: ConvBn::new(input, out, 3, stride, device),
            b: ConvBn::new(out, out, 3, 1, device),
            shortcut: (stride != 1 || input != out).then(|| ConvBn::new(input, out, 1, stride, device)),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let skip = match &self.shortcut {
            Some(s) => s.forward(x.clone()),
            None => x.clone(),
        };
        relu(self.b.forward(relu(self.a.forward(x))) + skip)
    }
}

#[derive(Module, Debug)]
pub struct ResNet {
    stem: ConvBn,
    stages: Vec<BasicBlock>,
    taps: bool,
}

/// Mean over `k`×`k` cells.
fn avg_pool(x: Tensor<4>, k: usize) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h / k, k, w / k, k])
        .mean_dim(5)
        .mean_dim(3)
        .reshape([b, c, h / k, w / k])
}

impl ResNet {
    pub fn new(channels: usize, width: usize, taps: bool, device: &Device) -> Self {
        let widths = [width, 2 * width, 4 * width, 8 * width];
        let mut input = width;
        let stages = widths
            .iter()
            .enumerate()
            .map(|(i, &out)| {
                let block = BasicBlock::new(input, out, if i == 0 { 1 } else { 2 }, device);
                input = out;
                block
            })
            .collect();
        ResNet {
            stem: ConvBn::new(channels, width, 3, 1, device),
            stages,
            taps,
        }
    }

    /// Images `[batch, c, h, w]` (sides divisible by 8) to tokens `[batch, (h/8)·(w/8), dim]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<3> {
        let mut x = relu(self.stem.forward(x));
        let mut outs = vec![];
        for stage in &self.stages {
            x = stage.forward(x);
            outs.push(x.clone());
        }
        let grid = if self.taps {
            Tensor::cat(vec![avg_pool(outs[1].clone(), 4), avg_pool(outs[2].clone(), 2), x], 1)
        } else {
            x
        };
        let [b, c, h, w] = grid.dims();
        grid.reshape([b, c, h * w]).swap_dims(1, 2)
    }
}
