//! The pieces the op lists declare parameters with: a parameter with no name yet (the list's
//! field names it) and the parameters many ops share.

use super::{Limit, PTy, Param, opt, req};

/// A required parameter of kind `ty`; its field names it.
pub const fn arg(ty: PTy, doc: &'static str) -> Param {
    req("", ty, doc)
}

/// A parameter of kind `ty` that defaults to `default`, as written in a recipe.
pub const fn arg_or(ty: PTy, default: &'static str, doc: &'static str) -> Param {
    opt("", ty, default, doc)
}

/// The input of most ops.
pub const X: Param = arg(PTy::Tensor, "the input");

/// The input of a view op: the image or view it transforms.
pub const VIEW_X: Param = arg(PTy::Tensor, "the image or view to transform");

/// A two-sided loss's prediction.
pub const A: Param = arg(PTy::Tensor, "prediction");

/// A two-sided loss's target.
pub const B: Param = arg(PTy::Tensor, "target");

/// A token loss's mask: the loss on the tokens it hides, whatever their count in each image.
pub const TOKEN_MASK: Param = arg_or(
    PTy::Tensor,
    "none",
    "a mask over the tokens' grid: the loss on the tokens it hides",
);

/// A mask's token grid.
pub const GRID: Param = arg(PTy::Int, "side of the token grid (image size / patch size)").within(Limit::AtLeast1);

/// A softmax temperature defaulting to `d`.
pub const fn temp(d: &'static str) -> Param {
    arg_or(PTy::Sched, d, "softmax temperature").within(Limit::Positive)
}

/// A view op's probability of applying, defaulting to `d`.
pub const fn prob(d: &'static str) -> Param {
    arg_or(PTy::Num, d, "probability of applying it").within(Limit::Prob)
}

/// The axis of a reduction or softmax; `None` makes it required.
pub const fn over(default: Option<&'static str>) -> Param {
    let p = arg(
        PTy::Choice(super::AXES),
        "the axis: `image` (all of each image's numbers), `batch` (across the images: a value \
         for the batch), `views`, `tokens`, `features` (the last axis of vectors, tokens and \
         labels), `rows` or `cols` (of a matrix; `cols` also of dot products across the batch)",
    );
    match default {
        Some(d) => Param { default: Some(d), ..p },
        None => p,
    }
}

/// An optimiser's learning rate.
pub const LR: Param = arg(PTy::Sched, "learning rate").within(Limit::NonNeg);
/// The networks an optimiser trains at its base rate.
pub const FIXED_LR: Param = arg_or(
    PTy::Networks,
    "[]",
    "networks trained at the learning rate's base value throughout: the value after warm-up, \
     before any decay (SimSiam's predictor)",
);
/// Networks an optimiser trains at a multiple of its rate.
pub const LR_SCALE: Param = arg_or(
    PTy::NetFactors,
    "[]",
    "`(network, factor)` pairs: those networks train at the learning rate times their factor \
     (a faster predictor or head, a slower backbone); with `fixed_lr`, the base value times it",
)
.within(Limit::Positive);
/// An optimiser's layer-wise rate decay in ViTs.
pub const LAYER_DECAY: Param = arg_or(
    PTy::Num,
    "1",
    "layer-wise learning-rate decay in every ViT of depth L: block i (1-based) trains at the \
     rate times decay^(L + 1 − i), the embeddings at decay^(L + 1), the final norm and other \
     networks at the rate (BEiT, timm's `layer_decay`, DINOv2 and CAPI); weight decay follows \
     each rate; 1 is off",
)
.within(Limit::Between(0.0, 1.0));
/// An optimiser's gradient clipping.
pub const CLIP: Param = arg_or(
    PTy::Num,
    "0",
    "clip the gradient norm of each parameter tensor to this; 0 is off",
)
.within(Limit::NonNeg);

/// Where the Debian package `dataset-fashion-mnist` puts the IDX files.
pub const FASHION_PATH: Param = arg_or(
    PTy::Str,
    "\"/usr/share/datasets/fashion-mnist\"",
    "folder holding the four IDX files",
);
/// How many of Fashion-MNIST's classes a source uses.
pub const FASHION_CLASSES: Param =
    arg_or(PTy::Int, "10", "use the items of the first N classes").within(Limit::Between(2.0, 10.0));

/// The depths `resnet` builds, as torchvision names them (10: one basic block a stage).
pub const RESNET_DEPTHS: &[f64] = &[10.0, 18.0, 34.0, 50.0, 101.0, 152.0];
