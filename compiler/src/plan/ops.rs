//! The plan's tensor ops and losses: one struct each, holding its input slots and its
//! parameters with their types. The list in `tensor_ops!` is the one place that names them: the
//! compiler expands it into the structs and the `TensorOp` enum, and the runtime into one module
//! per op and an exhaustive dispatch, so an op the runtime lacks fails to compile.

use serde::Serialize;

use super::decode::{Args, Field, Slot};
use crate::value::{Param, Schedule};

/// Calls `$then! { "name" module Struct { field: Type, ... }, ... }` with every tensor op and
/// loss of the language. A field of type `Slot` is an input; the others are parameters, named as
/// in the recipe. `#[no_grad]` marks an op whose output carries no gradient (the gradient check
/// reads it), `#[stateful]` one that keeps state across steps (the probe check reads it),
/// `#[batch]` one that couples the images of a batch (negatives, statistics, balancing, state
/// made from the whole batch), which across ranks sees every rank's images; a reduction or
/// softmax `over: "batch"` couples them too. Adding a built-in adds one line here (and its
/// registry entry and runtime file).
#[macro_export]
macro_rules! tensor_ops {
    ($then:ident) => {
        $then! {
            TensorOp, "A tensor op or loss of the plan, decoded.";
            "cls" cls Cls { x: Slot },
            "patches" patches Patches { x: Slot },
            "mean_tokens" mean_tokens MeanTokens { x: Slot },
            "l2norm" l2norm L2Norm { x: Slot },
            #[no_grad] "sg" sg StopGradient { x: Slot },
            "relu" relu Relu { x: Slot },
            "layer_norm" layer_norm LayerNorm { x: Slot },
            "concat" concat Concat { a: Slot, b: Slot },
            "concat_views" concat_views ConcatViews { x: Slot },
            "mean_views" mean_views MeanViews { x: Slot },
            "swap_views" swap_views SwapViews { x: Slot },
            "stack_views" stack_views StackViews { a: Slot, b: Slot },
            "slice_views" slice_views SliceViews { x: Slot, start: usize, len: usize },
            #[stateful] #[batch] "center" center Center { x: Slot, momentum: Schedule },
            "concat_tokens" concat_tokens ConcatTokens { a: Slot, b: Slot },
            "slice_tokens" slice_tokens SliceTokens { x: Slot, start: usize, len: usize },
            "last_tokens" last_tokens LastTokens { x: Slot, len: usize },
            "select" select Select { x: Slot, mask: Slot, masked: bool },
            "attend" attend Attend { q: Slot, k: Slot, beta: Schedule },
            "segment_pool" segment_pool SegmentPool { x: Slot, segments: Slot, slots: usize },
            "pairwise_cosine" pairwise_cosine PairwiseCosine { a: Slot, b: Slot },
            "dot" dot Dot { a: Slot, b: Slot },
            #[no_grad] "sinkhorn" sinkhorn Sinkhorn { cost: Slot, rows: Slot, cols: Slot, eps: Schedule, iters: usize },
            #[no_grad] #[batch] "batch_sinkhorn" batch_sinkhorn BatchSinkhorn { x: Slot, eps: Schedule, iters: usize, extra: Option<Slot> },
            #[no_grad] #[stateful] #[batch] "queue" queue Queue { x: Slot, size: usize },
            #[no_grad] #[batch] "nearest" nearest Nearest { x: Slot, bank: Slot },
            "patchify" patchify Patchify { x: Slot, patch: usize, normalize: bool },
            "maximum" maximum Maximum { a: Slot, b: Slot },
            "neg_cosine" neg_cosine NegCosine { a: Slot, b: Slot },
            "cosine_distance" cosine_distance CosineDistance { a: Slot, b: Slot },
            #[batch] "info_nce" info_nce InfoNce { a: Slot, b: Slot, temperature: Schedule },
            "queue_nce" queue_nce QueueNce { a: Slot, b: Slot, negatives: Slot, temperature: Schedule },
            #[batch] "nt_xent" nt_xent NtXent { x: Slot, temperature: Schedule },
            "cross_entropy" cross_entropy CrossEntropy { logits: Slot, target: Slot, temperature: Schedule },
            #[batch] "soft_ce" soft_ce SoftCe { a: Slot, b: Slot, student_temp: Schedule, teacher_temp: Schedule, center: f64, pairs: Pairs, mask: Option<Slot> },
            #[batch] "mean_entropy" mean_entropy MeanEntropy { x: Slot, temperature: Schedule },
            #[batch] "unigrad" unigrad Unigrad { a: Slot, b: Slot, lambda: Schedule },
            #[batch] "detcon" detcon Detcon { pred_a: Slot, pred_b: Slot, proj_a: Slot, proj_b: Slot, temperature: Schedule },
            "bce" bce Bce { logits: Slot, labels: Slot },
            "asl" asl Asl { logits: Slot, labels: Slot, gamma_pos: f64, gamma_neg: f64, clip: f64 },
            "masked_l1" masked_l1 MaskedL1 { pred: Slot, target: Slot, mask: Slot },
            "masked_mse" masked_mse MaskedMse { pred: Slot, target: Slot, mask: Slot },
            "mse" mse Mse { a: Slot, b: Slot, mask: Option<Slot> },
            "smooth_l1" smooth_l1 SmoothL1 { a: Slot, b: Slot, beta: Schedule, mask: Option<Slot> },
            #[batch] "barlow_twins" barlow_twins BarlowTwins { a: Slot, b: Slot, lambda: Schedule },
            #[batch] "vicreg" vicreg Vicreg { a: Slot, b: Slot, sim: Schedule, var: Schedule, cov: Schedule },
            "exp" exp Exp { x: Slot },
            "log" log Log { x: Slot },
            "sqrt" sqrt Sqrt { x: Slot },
            "abs" abs Abs { x: Slot },
            "cos" cos Cos { x: Slot },
            "sin" sin Sin { x: Slot },
            "pow" pow Pow { x: Slot, exponent: f64 },
            "clamp" clamp Clamp { x: Slot, min: Option<f64>, max: Option<f64> },
            "sum" sum Sum { x: Slot, over: Axis },
            "mean" mean Mean { x: Slot, over: Axis },
            "logsumexp" logsumexp LogSumExp { x: Slot, over: Axis },
            "max" max Max { x: Slot, over: Axis },
            "min" min Min { x: Slot, over: Axis },
            "softmax" softmax Softmax { x: Slot, temperature: Schedule, over: Axis },
            #[no_grad] "count" count Count { x: Slot, over: Axis },
            "matmul" matmul Matmul { a: Slot, b: Slot },
            "transpose" transpose Transpose { x: Slot },
            "outer" outer Outer { a: Slot, b: Slot },
            #[batch] "moment" moment Moment { a: Slot, b: Slot },
            #[batch] "batch_dot" batch_dot BatchDot { a: Slot, b: Slot },
            #[batch] "mask_self" mask_self MaskSelf { x: Slot, value: f64, same: Same },
            "diag" diag Diag { x: Slot },
            "as_matrix" as_matrix AsMatrix { x: Slot },
            "eigvalsh" eigvalsh Eigvalsh { x: Slot },
            "sqrtm" sqrtm Sqrtm { x: Slot },
            "inv_sqrtm" inv_sqrtm InvSqrtm { x: Slot },
            "cholesky" cholesky Cholesky { x: Slot },
            "inverse" inverse Inverse { x: Slot },
            #[no_grad] "normal" normal Normal { rows: usize, cols: usize },
            #[no_grad] "linspace" linspace Linspace { start: f64, end: f64, count: usize },
            #[no_grad] "eye" eye Eye { size: usize },
            #[no_grad] "vector" vector Vector { values: Vec<f64> },
            #[stateful] "ema" ema EmaOf { x: Slot, momentum: Schedule },
        }
    };
}

choice! {
    /// The axis a reduction or a softmax runs over (the registry's `AXES`).
    Axis {
        Image = "image",
        Batch = "batch",
        Views = "views",
        Tokens = "tokens",
        Features = "features",
        Rows = "rows",
        Cols = "cols",
    }
}

choice! {
    /// Which entries of a row of dot products across the batch are its own: its image's, or
    /// its own.
    Same { Image = "image", Row = "row" }
}

choice! {
    /// Which rows of a two-sided loss meet: the same view on both sides, or every teacher view
    /// with every other student view (DINO's multi-crop pairs).
    Pairs { Matched = "matched", Cross = "cross" }
}

tensor_ops!(define_ops);
