//! `net_kinds!`: every network architecture of the language, declared once.

/// Calls `$then! { NetKind, "doc"; "name" module Struct { field: Type = parameter, ... }, ... }`
/// with every network architecture of the language (its own arguments; a call's ports are the
/// plan's `NetPorts`), as [`tensor_ops!`](crate::tensor_ops) does with the tensor ops.
#[macro_export]
macro_rules! net_kinds {
    ($then:ident) => {
        $then! {
            NetKind, "A network architecture of the plan, decoded.";
            "vit" vit Vit {
                patch: usize = arg(PTy::Int, "patch side in pixels").within(Limit::AtLeast1),
                dim: usize = arg(PTy::Int, "token width").within(Limit::AtLeast1),
                depth: usize = arg(PTy::Int, "number of blocks").within(Limit::NonNeg),
                heads: usize = arg(PTy::Int, "attention heads").within(Limit::AtLeast1),
                mlp_ratio: f64 = arg_or(PTy::Num, "4", "hidden width of block MLPs / dim")
                    .within(Limit::Positive),
                cls: bool = arg_or(PTy::Bool, "true", "prepend a learned class token"),
                channels: usize = arg_or(PTy::Int, "3", "input channels").within(Limit::AtLeast1),
                drop_path: f64 = arg_or(
                    PTy::Num,
                    "0.0",
                    "stochastic depth rate of the last block (linear from 0 at the first), only in passes that train the network: its EMA or frozen copies (a teacher) never drop",
                )
                .within(Limit::Prob),
                frozen_patch: bool = arg_or(PTy::Bool, "false", "freeze the patch embedding (SiameseIM)"),
                mask_token: bool = arg_or(
                    PTy::Bool,
                    "false",
                    "with `mask:`, replace masked patches by a learned token in place instead of dropping them",
                ),
                registers: usize = arg_or(
                    PTy::Int,
                    "0",
                    "learned register tokens after the class token, attended to by every token and left out of the output (DINOv2 with registers)",
                )
                .within(Limit::Between(0.0, 64.0)),
                positions: Positions = arg_or(
                    PTy::Choice(&["sincos", "rope"]),
                    "\"sincos\"",
                    "fixed 2-D sin-cos embeddings added to the patches, or rotary positions: queries and keys of the patch tokens rotated by their row and column in every attention (DINOv3: base 100, coordinates in [−1, 1] whatever the grid)",
                ),
            },
            "resnet" resnet ResNet {
                width: usize = arg_or(PTy::Int, "16", "width of the first stage (torchvision's is 64)")
                    .within(Limit::AtLeast1),
                depth: usize = arg_or(PTy::Int, "10", "layers, as torchvision counts them")
                    .within(Limit::OneOf(RESNET_DEPTHS)),
                stem: Stem = arg_or(
                    PTy::Choice(&["small", "imagenet"]),
                    "\"small\"",
                    "a 3×3 convolution, or torchvision's 7×7 convolution and max pooling",
                ),
                bn: BnStats = arg_or(
                    PTy::Choice(&["batch", "running"]),
                    "\"batch\"",
                    "BatchNorm's statistics in evaluation: the batch's own, or running averages",
                ),
                taps: bool = arg_or(PTy::Bool, "false", "concatenate multi-stage features"),
                channels: usize = arg_or(PTy::Int, "3", "input channels").within(Limit::AtLeast1),
            },
            "mlp" mlp Mlp {
                hidden: usize = arg(PTy::Int, "hidden width").within(Limit::AtLeast1),
                out: usize = arg(PTy::Int, "output width").within(Limit::AtLeast1),
                layers: usize = arg_or(PTy::Int, "2", "number of linear layers").within(Limit::AtLeast1),
                bn: bool = arg_or(PTy::Bool, "true", "BatchNorm after hidden layers"),
                act: Activation = arg_or(PTy::Choice(&["relu", "gelu"]), "\"relu\"", "activation"),
                out_bn: OutBn = arg_or(
                    PTy::Choice(&["none", "affine", "plain"]),
                    "\"none\"",
                    "BatchNorm after the last layer: none, with a learned scale and shift, or without",
                ),
            },
            "fc" fc Fc {
                out: usize = arg(PTy::Int, "output width").within(Limit::AtLeast1),
                bias: bool = arg_or(PTy::Bool, "true", "add a bias"),
            },
            "transformer" transformer Transformer {
                depth: usize = arg(PTy::Int, "number of blocks").within(Limit::AtLeast1),
                heads: usize = arg(PTy::Int, "attention heads").within(Limit::AtLeast1),
                mlp_ratio: f64 = arg_or(PTy::Num, "4", "hidden width of block MLPs / dim")
                    .within(Limit::Positive),
                norm: Norm = arg_or(
                    PTy::Choice(&["layer", "batch"]),
                    "\"layer\"",
                    "normalisation in the blocks",
                ),
            },
            "cross_transformer" cross_transformer CrossTransformer {
                depth: usize = arg(PTy::Int, "number of blocks").within(Limit::AtLeast1),
                heads: usize = arg(PTy::Int, "attention heads").within(Limit::AtLeast1),
                mlp_ratio: f64 = arg_or(PTy::Num, "4", "hidden width of block MLPs / dim")
                    .within(Limit::Positive),
            },
            "dino_head" dino_head DinoHead {
                hidden: usize = arg_or(PTy::Int, "2048", "hidden width").within(Limit::AtLeast1),
                bottleneck: usize = arg_or(PTy::Int, "256", "bottleneck width").within(Limit::AtLeast1),
                prototypes: usize = arg(PTy::Int, "number of prototypes (output width)")
                    .within(Limit::AtLeast1),
                layers: usize = arg_or(PTy::Int, "3", "linear layers before the bottleneck")
                    .within(Limit::AtLeast1),
                freeze_last_epochs: f64 = arg_or(
                    PTy::Num,
                    "0",
                    "epochs during which the prototypes are frozen",
                )
                .within(Limit::NonNeg),
            },
            "coord_embed" coord_embed CoordEmbed {
                dim: usize = arg(PTy::Int, "output width").within(Limit::AtLeast1),
                grid: usize = arg(PTy::Int, "side of the patch grid of the located view")
                    .within(Limit::AtLeast1),
            },
            "mask_fill" mask_fill MaskFill {
                positions: bool = arg_or(
                    PTy::Bool,
                    "false",
                    "add fixed 2-D sin-cos positions to the grid tokens after filling",
                ),
            },
        }
    };
}
