//! A ResNet's residual blocks as torchvision builds them: basic (two 3×3 convolutions) and
//! bottleneck (1×1, 3×3, then 1×1 to four times the width), the stride on the 3×3 convolution
//! and a strided 1×1 projection (`downsample`) as the shortcut where the shape changes.

use burn::module::Module;
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::norm::ConvBn;
use crate::nets::Pass;

/// How a block's output width relates to its stage's width.
pub const BOTTLENECK_EXPANSION: usize = 4;

#[derive(Module, Debug)]
pub struct Basic {
    pub conv1: ConvBn,
    pub conv2: ConvBn,
    pub downsample: Option<ConvBn>,
}

#[derive(Module, Debug)]
pub struct Bottleneck {
    pub conv1: ConvBn,
    pub conv2: ConvBn,
    pub conv3: ConvBn,
    pub downsample: Option<ConvBn>,
}

/// One residual block. A network holds one kind, so the variants' size difference costs
/// nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Block {
    Basic(Basic),
    Bottleneck(Bottleneck),
}

impl Block {
    /// A block from `input` channels for a stage of `width`, at `stride`; its output has
    /// `width` channels (basic) or `4·width` (bottleneck).
    pub fn new(bottleneck: bool, input: usize, width: usize, stride: usize, running: bool, device: &Device) -> Self {
        let out = if bottleneck {
            width * BOTTLENECK_EXPANSION
        } else {
            width
        };
        let downsample = (stride != 1 || input != out).then(|| ConvBn::new(input, out, 1, stride, running, device));
        if bottleneck {
            Block::Bottleneck(Bottleneck {
                conv1: ConvBn::new(input, width, 1, 1, running, device),
                conv2: ConvBn::new(width, width, 3, stride, running, device),
                conv3: ConvBn::new(width, out, 1, 1, running, device),
                downsample,
            })
        } else {
            Block::Basic(Basic {
                conv1: ConvBn::new(input, width, 3, stride, running, device),
                conv2: ConvBn::new(width, width, 3, 1, running, device),
                downsample,
            })
        }
    }

    pub fn forward(&self, x: Tensor<4>, pass: Pass) -> Tensor<4> {
        let (residual, downsample) = match self {
            Block::Basic(b) => {
                let y = relu(b.conv1.forward(x.clone(), pass));
                (b.conv2.forward(y, pass), &b.downsample)
            }
            Block::Bottleneck(b) => {
                let y = relu(b.conv1.forward(x.clone(), pass));
                let y = relu(b.conv2.forward(y, pass));
                (b.conv3.forward(y, pass), &b.downsample)
            }
        };
        let skip = match downsample {
            Some(d) => d.forward(x, pass),
            None => x,
        };
        relu(residual + skip)
    }
}
