//! `tensor_ops!`'s first part: ops on values, their views and tokens, transport and banks.

/// Part of [`tensor_ops!`](crate::tensor_ops): its ops on values, then its losses.
#[doc(hidden)]
#[macro_export]
macro_rules! tensor_ops_values {
    ($then:ident; $($acc:tt)*) => {
        $crate::tensor_ops_losses! { $then; $($acc)*
            "cls" cls Cls { x: Slot = X },
            "patches" patches Patches { x: Slot = X },
            "mean_tokens" mean_tokens MeanTokens { x: Slot = X },
            "l2norm" l2norm L2Norm { x: Slot = X },
            #[no_grad] "sg" sg StopGradient { x: Slot = X },
            "relu" relu Relu { x: Slot = X },
            "layer_norm" layer_norm LayerNorm { x: Slot = X },
            "concat" concat Concat {
                a: Slot = arg(PTy::Tensor, "first features"),
                b: Slot = arg(PTy::Tensor, "second features"),
            },
            "concat_views" concat_views ConcatViews { x: Slot = X },
            "mean_views" mean_views MeanViews { x: Slot = X },
            "swap_views" swap_views SwapViews { x: Slot = X },
            "stack_views" stack_views StackViews {
                a: Slot = arg(PTy::Tensor, "the first views"),
                b: Slot = arg(PTy::Tensor, "the views after them"),
            },
            "slice_views" slice_views SliceViews {
                x: Slot = X,
                start: usize = arg(PTy::Int, "the first view kept").within(Limit::NonNeg),
                len: usize = arg(PTy::Int, "how many views").within(Limit::AtLeast1),
            },
            #[stateful] #[batch] "center" center Center {
                x: Slot = X,
                momentum: Schedule = arg_or(PTy::Sched, "0.9", "m in c ← m·c + (1 − m)·mean(x)")
                    .within(Limit::Prob),
            },
            "concat_tokens" concat_tokens ConcatTokens {
                a: Slot = arg(PTy::Tensor, "first tokens"),
                b: Slot = arg(PTy::Tensor, "second tokens"),
            },
            "slice_tokens" slice_tokens SliceTokens {
                x: Slot = X,
                start: usize = arg(PTy::Int, "first token").within(Limit::NonNeg),
                len: usize = arg(PTy::Int, "number of tokens").within(Limit::AtLeast1),
            },
            "last_tokens" last_tokens LastTokens {
                x: Slot = X,
                len: usize = arg(PTy::Int, "number of tokens").within(Limit::AtLeast1),
            },
            "select" select Select {
                x: Slot = X,
                mask: Slot = arg(PTy::Tensor, "the mask"),
                masked: bool = arg_or(PTy::Bool, "false", "take the masked tokens instead of the kept ones"),
            },
            "attend" attend Attend {
                q: Slot = arg(PTy::Tensor, "queries"),
                k: Slot = arg(PTy::Tensor, "keys, also the values"),
                beta: Schedule = arg(PTy::Sched, "inverse temperature").within(Limit::Positive),
            },
            "segment_pool" segment_pool SegmentPool {
                x: Slot = X,
                segments: Slot = arg(PTy::Tensor, "the view's segment map"),
                slots: usize = arg_or(PTy::Int, "16", "segments sampled per image").within(Limit::AtLeast1),
            },
            "pairwise_cosine" pairwise_cosine PairwiseCosine {
                a: Slot = arg(PTy::Tensor, "n vectors"),
                b: Slot = arg(PTy::Tensor, "m vectors"),
            },
            "dot" dot Dot {
                a: Slot = arg(PTy::Tensor, "n vectors"),
                b: Slot = arg(PTy::Tensor, "one or n vectors"),
            },
            #[no_grad] "sinkhorn" sinkhorn Sinkhorn {
                cost: Slot = arg(PTy::Tensor, "cost matrix"),
                rows: Slot = arg(PTy::Tensor, "row marginals"),
                cols: Slot = arg(PTy::Tensor, "column marginals"),
                eps: Schedule = arg_or(PTy::Sched, "0.1", "entropic regularisation").within(Limit::Positive),
                iters: usize = arg_or(PTy::Int, "50", "iterations").within(Limit::AtLeast1),
            },
            #[no_grad] #[batch] "batch_sinkhorn" batch_sinkhorn BatchSinkhorn {
                x: Slot = X,
                eps: Schedule = arg_or(PTy::Sched, "0.05", "entropic regularisation").within(Limit::Positive),
                iters: usize = arg_or(PTy::Int, "3", "iterations").within(Limit::AtLeast1),
                extra: Option<Slot> = arg_or(
                    PTy::Tensor,
                    "none",
                    "a memory of earlier scores (`queue(scores, size: N)`) balanced with the batch, given no code",
                ),
            },
            #[no_grad] #[stateful] #[batch] "queue" queue Queue {
                x: Slot = X,
                size: usize = arg(PTy::Int, "vectors kept").within(Limit::AtLeast1),
            },
            #[no_grad] #[batch] "nearest" nearest Nearest {
                x: Slot = X,
                bank: Slot = arg(PTy::Tensor, "the memory to search (`queue`), or the batch's vectors"),
            },
            "patchify" patchify Patchify {
                x: Slot = X,
                patch: usize = arg(PTy::Int, "patch side").within(Limit::AtLeast1),
                normalize: bool = arg_or(PTy::Bool, "true", "per-patch normalisation"),
            },
            "maximum" maximum Maximum {
                a: Slot = arg(PTy::Tensor, "first"),
                b: Slot = arg(PTy::Tensor, "second"),
            },
        }
    };
}
