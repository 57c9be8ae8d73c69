//! A ResNet in torchvision's layout: a stem, four stages of residual blocks (widths ×1, ×2, ×4,
//! ×8; the last three at stride 2), BatchNorm after every convolution. The small stem is one
//! 3×3 convolution (total stride 8); the imagenet stem is torchvision's 7×7 stride-2
//! convolution and 3×3 max pooling (total stride 32). The output is the final grid as tokens;
//! with taps, `concat(avgpool4(stage2), avgpool2(stage3), stage4)` (CYBORGS' dense features).

pub mod block;
pub mod norm;

use burn::module::Module;
use burn::nn::PaddingConfig2d;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use sslc_compiler::plan::nets::{BnStats, ResNet as Spec, Stem};

use crate::nets::Pass;
use block::{BOTTLENECK_EXPANSION, Block};
use norm::ConvBn;

#[derive(Module, Debug)]
pub struct ResNet {
    /// The stem's convolution and norm (torchvision's `conv1` and `bn1`).
    pub stem: ConvBn,
    /// The imagenet stem's max pooling.
    pool: Option<MaxPool2d>,
    /// torchvision's `layer1` to `layer4`.
    pub stages: Vec<Vec<Block>>,
    taps: bool,
}

/// Blocks in each stage, and whether they are bottlenecks, for a torchvision depth.
pub fn layout(depth: usize) -> Option<([usize; 4], bool)> {
    Some(match depth {
        10 => ([1, 1, 1, 1], false),
        18 => ([2, 2, 2, 2], false),
        34 => ([3, 4, 6, 3], false),
        50 => ([3, 4, 6, 3], true),
        101 => ([3, 4, 23, 3], true),
        152 => ([3, 8, 36, 3], true),
        _ => return None,
    })
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
    /// The network `spec` declares; `None` for a depth torchvision has no layout for (the
    /// checker refuses those).
    pub fn new(spec: &Spec, device: &Device) -> Option<Self> {
        let (blocks, bottleneck) = layout(spec.depth)?;
        let running = spec.bn == BnStats::Running;
        let imagenet = spec.stem == Stem::Imagenet;
        let mut input = spec.width;
        let stages = blocks
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                let width = spec.width << i;
                (0..count)
                    .map(|k| {
                        let stride = if i > 0 && k == 0 { 2 } else { 1 };
                        let block = Block::new(bottleneck, input, width, stride, running, device);
                        input = if bottleneck {
                            width * BOTTLENECK_EXPANSION
                        } else {
                            width
                        };
                        block
                    })
                    .collect()
            })
            .collect();
        Some(ResNet {
            stem: if imagenet {
                ConvBn::new(spec.channels, spec.width, 7, 2, running, device)
            } else {
                ConvBn::new(spec.channels, spec.width, 3, 1, running, device)
            },
            pool: imagenet.then(|| {
                MaxPool2dConfig::new([3, 3])
                    .with_strides([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .init()
            }),
            stages,
            taps: spec.taps,
        })
    }

    /// Images `[batch, c, h, w]` (sides divisible by the total stride) to tokens
    /// `[batch, grid cells, dim]`.
    pub fn forward(&self, x: Tensor<4>, pass: Pass) -> Tensor<3> {
        let mut x = relu(self.stem.forward(x, pass));
        if let Some(pool) = &self.pool {
            x = pool.forward(x);
        }
        let mut outs = vec![];
        for stage in &self.stages {
            for block in stage {
                x = block.forward(x, pass);
            }
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

    /// Scalars kept as running statistics rather than trained.
    pub fn running_scalars(&self) -> usize {
        let mut count = 0;
        self.visit_norms(&mut |n| {
            if let Some(r) = &n.running {
                count += r.mean.value().dims()[0] + r.var.value().dims()[0] + 1;
            }
        });
        count
    }

    /// Every norm, in torchvision's order.
    pub fn visit_norms(&self, f: &mut impl FnMut(&norm::ChannelNorm)) {
        f(&self.stem.bn);
        for block in self.stages.iter().flatten() {
            match block {
                Block::Basic(b) => {
                    for c in [&b.conv1, &b.conv2].into_iter().chain(&b.downsample) {
                        f(&c.bn);
                    }
                }
                Block::Bottleneck(b) => {
                    for c in [&b.conv1, &b.conv2, &b.conv3].into_iter().chain(&b.downsample) {
                        f(&c.bn);
                    }
                }
            }
        }
    }
}
