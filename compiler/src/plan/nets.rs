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

crate::net_kinds!(define_ops);
