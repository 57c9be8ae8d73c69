//! `tensor_ops!`'s second part: the losses.

/// Part of [`tensor_ops!`](crate::tensor_ops): its losses, then its algebra.
#[doc(hidden)]
#[macro_export]
macro_rules! tensor_ops_losses {
    ($then:ident; $($acc:tt)*) => {
        $crate::tensor_ops_algebra! { $then; $($acc)*
            "neg_cosine" neg_cosine NegCosine { a: Slot = A, b: Slot = B },
            "cosine_distance" cosine_distance CosineDistance { a: Slot = A, b: Slot = B },
            #[batch] "info_nce" info_nce InfoNce {
                a: Slot = A,
                b: Slot = B,
                temperature: Schedule = temp("0.2"),
            },
            "queue_nce" queue_nce QueueNce {
                a: Slot = A,
                b: Slot = B,
                negatives: Slot = arg(PTy::Tensor, "the memory of negatives (`queue`)"),
                temperature: Schedule = temp("0.2"),
            },
            #[batch] "nt_xent" nt_xent NtXent {
                x: Slot = arg(PTy::Tensor, "two views per image"),
                temperature: Schedule = temp("0.5"),
            },
            "cross_entropy" cross_entropy CrossEntropy {
                logits: Slot = arg(PTy::Tensor, "predicted scores"),
                target: Slot = arg(PTy::Tensor, "target distributions (rows summing to 1)").detached(),
                temperature: Schedule = arg_or(PTy::Sched, "0.1", "temperature of the prediction")
                    .within(Limit::Positive),
            },
            #[batch] "soft_ce" soft_ce SoftCe {
                a: Slot = arg(PTy::Tensor, "student logits"),
                b: Slot = arg(PTy::Tensor, "teacher logits").detached(),
                student_temp: Schedule = arg_or(PTy::Sched, "0.1", "student temperature")
                    .within(Limit::Positive),
                teacher_temp: Schedule = arg_or(PTy::Sched, "0.04", "teacher temperature")
                    .within(Limit::Positive),
                center: f64 = arg_or(PTy::Num, "0.0", "center momentum; 0 turns centering off")
                    .within(Limit::Prob),
                pairs: Pairs = arg_or(
                    PTy::Choice(&["matched", "cross"]),
                    "\"matched\"",
                    "rows that meet: the same view on both sides, or every view of `b` with every other view of `a`",
                ),
                mask: Option<Slot> = TOKEN_MASK,
            },
            #[batch] "mean_entropy" mean_entropy MeanEntropy {
                x: Slot = arg(PTy::Tensor, "logits"),
                temperature: Schedule = temp("0.1"),
            },
            #[batch] "unigrad" unigrad Unigrad {
                a: Slot = A,
                b: Slot = B,
                lambda: Schedule = arg_or(PTy::Sched, "0.02", "weight of the spreading term")
                    .within(Limit::NonNeg),
            },
            #[batch] "detcon" detcon Detcon {
                pred_a: Slot = arg(PTy::Tensor, "online predictions, view a"),
                pred_b: Slot = arg(PTy::Tensor, "online predictions, view b"),
                proj_a: Slot = arg(PTy::Tensor, "target projections, view a"),
                proj_b: Slot = arg(PTy::Tensor, "target projections, view b"),
                temperature: Schedule = temp("0.1"),
            },
            "bce" bce Bce {
                logits: Slot = arg(PTy::Tensor, "class logits"),
                labels: Slot = arg(PTy::Tensor, "multi-hot labels"),
            },
            "asl" asl Asl {
                logits: Slot = arg(PTy::Tensor, "class logits"),
                labels: Slot = arg(PTy::Tensor, "multi-hot labels"),
                gamma_pos: f64 = arg_or(PTy::Num, "0", "focusing on positives").within(Limit::NonNeg),
                gamma_neg: f64 = arg_or(PTy::Num, "4", "focusing on negatives").within(Limit::NonNeg),
                clip: f64 = arg_or(PTy::Num, "0.05", "probability margin on negatives").within(Limit::Prob),
            },
            "masked_l1" masked_l1 MaskedL1 {
                pred: Slot = arg(PTy::Tensor, "predicted patches"),
                target: Slot = arg(PTy::Tensor, "target patches"),
                mask: Slot = arg(PTy::Tensor, "the mask; loss on masked tokens"),
            },
            "masked_mse" masked_mse MaskedMse {
                pred: Slot = arg(PTy::Tensor, "predicted patches"),
                target: Slot = arg(PTy::Tensor, "target patches"),
                mask: Slot = arg(PTy::Tensor, "the mask; loss on masked tokens"),
            },
            "mse" mse Mse { a: Slot = A, b: Slot = B, mask: Option<Slot> = TOKEN_MASK },
            "smooth_l1" smooth_l1 SmoothL1 {
                a: Slot = A,
                b: Slot = B,
                beta: Schedule = arg_or(PTy::Sched, "1.0", "where the loss turns from quadratic to linear")
                    .within(Limit::NonNeg),
                mask: Option<Slot> = TOKEN_MASK,
            },
            #[batch] "barlow_twins" barlow_twins BarlowTwins {
                a: Slot = A,
                b: Slot = B,
                lambda: Schedule = arg_or(PTy::Sched, "0.005", "off-diagonal weight").within(Limit::NonNeg),
            },
            #[batch] "vicreg" vicreg Vicreg {
                a: Slot = A,
                b: Slot = B,
                sim: Schedule = arg_or(PTy::Sched, "25", "invariance weight").within(Limit::NonNeg),
                var: Schedule = arg_or(PTy::Sched, "25", "variance weight").within(Limit::NonNeg),
                cov: Schedule = arg_or(PTy::Sched, "1", "covariance weight").within(Limit::NonNeg),
            },
        }
    };
}
