//! The plan's network architectures: one struct each, its settings with their types, decoded
//! from the declaration when the plan is made.

use serde::Serialize;

use super::decode::{Args, Field};
use crate::value::Param;

choice! {
    /// The activation between an MLP's layers.
    Activation { Relu = "relu", Gelu = "gelu" }
}

choice! {
    /// BatchNorm after an MLP's last layer: none, with a learned scale and shift, or without.
    OutBn { None = "none", Affine = "affine", Plain = "plain" }
}

choice! {
    /// A ResNet's stem: one 3×3 convolution, or torchvision's 7×7 convolution and max pooling.
    Stem { Small = "small", Imagenet = "imagenet" }
}

choice! {
    /// The statistics a ResNet's BatchNorm uses in evaluation: the batch's, or running averages.
    BnStats { Batch = "batch", Running = "running" }
}

choice! {
    /// How a ViT knows where its patches are: added sin-cos embeddings, or rotary positions.
    Positions { Sincos = "sincos", Rope = "rope" }
}

choice! {
    /// A transformer block's normalisation: per token, or over the batch's tokens.
    Norm { Layer = "layer", Batch = "batch" }
}

define_ops! {
    NetKind, "A network architecture of the plan, decoded.";
    "vit" vit Vit { patch: usize, dim: usize, depth: usize, heads: usize, mlp_ratio: f64, cls: bool, channels: usize, drop_path: f64, frozen_patch: bool, mask_token: bool, registers: usize, positions: Positions },
    "resnet" resnet ResNet { width: usize, depth: usize, stem: Stem, bn: BnStats, taps: bool, channels: usize },
    "mlp" mlp Mlp { hidden: usize, out: usize, layers: usize, bn: bool, act: Activation, out_bn: OutBn },
    "fc" fc Fc { out: usize, bias: bool },
    "transformer" transformer Transformer { depth: usize, heads: usize, mlp_ratio: f64, norm: Norm },
    "cross_transformer" cross_transformer CrossTransformer { depth: usize, heads: usize, mlp_ratio: f64 },
    "dino_head" dino_head DinoHead { hidden: usize, bottleneck: usize, prototypes: usize, layers: usize, freeze_last_epochs: f64 },
    "coord_embed" coord_embed CoordEmbed { dim: usize, grid: usize },
    "mask_fill" mask_fill MaskFill { positions: bool },
}
