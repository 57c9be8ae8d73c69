//! `tensor_ops!`'s last part: the tensor algebra (elementwise math, reductions, matrices,
//! constants, state).

/// Part of [`tensor_ops!`](crate::tensor_ops): its algebra, the end of the list.
#[doc(hidden)]
#[macro_export]
macro_rules! tensor_ops_algebra {
    ($then:ident; $($acc:tt)*) => {
        $then! {
            TensorOp, "A tensor op or loss of the plan, decoded.";
            $($acc)*
            "exp" exp Exp { x: Slot = X },
            "log" log Log { x: Slot = X },
            "sqrt" sqrt Sqrt { x: Slot = X },
            "abs" abs Abs { x: Slot = X },
            "cos" cos Cos { x: Slot = X },
            "sin" sin Sin { x: Slot = X },
            "pow" pow Pow { x: Slot = X, exponent: f64 = arg(PTy::Num, "p") },
            "clamp" clamp Clamp {
                x: Slot = X,
                min: Option<f64> = arg_or(PTy::Num, "none", "the lower end"),
                max: Option<f64> = arg_or(PTy::Num, "none", "the upper end"),
            },
            "sum" sum Sum { x: Slot = X, over: Axis = over(Some("\"image\"")) },
            "mean" mean Mean { x: Slot = X, over: Axis = over(Some("\"image\"")) },
            "logsumexp" logsumexp LogSumExp { x: Slot = X, over: Axis = over(None) },
            "max" max Max { x: Slot = X, over: Axis = over(None) },
            "min" min Min { x: Slot = X, over: Axis = over(None) },
            "softmax" softmax Softmax {
                x: Slot = X,
                temperature: Schedule = arg_or(PTy::Sched, "1.0", "divides the logits")
                    .within(Limit::Positive),
                over: Axis = over(Some("\"features\"")),
            },
            #[no_grad] "count" count Count { x: Slot = X, over: Axis = over(None) },
            "matmul" matmul Matmul {
                a: Slot = arg(PTy::Tensor, "the left factor"),
                b: Slot = arg(PTy::Tensor, "the right factor"),
            },
            "transpose" transpose Transpose { x: Slot = X },
            "outer" outer Outer { a: Slot = arg(PTy::Tensor, "rows"), b: Slot = arg(PTy::Tensor, "columns") },
            #[batch] "moment" moment Moment {
                a: Slot = arg(PTy::Tensor, "vectors or tokens"),
                b: Slot = arg(PTy::Tensor, "as many of the same layout"),
            },
            #[batch] "batch_dot" batch_dot BatchDot {
                a: Slot = arg(PTy::Tensor, "the rows"),
                b: Slot = arg(PTy::Tensor, "the columns: vectors or a bank"),
            },
            #[batch] "mask_self" mask_self MaskSelf {
                x: Slot = X,
                value: f64 = arg_or(PTy::Num, "-1e9", "what the masked entries become"),
                same: Same = arg_or(
                    PTy::Choice(&["image", "row"]),
                    "\"image\"",
                    "which entries: the row's whole image, or the row itself",
                ),
            },
            "diag" diag Diag { x: Slot = X },
            "as_matrix" as_matrix AsMatrix { x: Slot = X },
            "eigvalsh" eigvalsh Eigvalsh { x: Slot = X },
            "sqrtm" sqrtm Sqrtm { x: Slot = X },
            "inv_sqrtm" inv_sqrtm InvSqrtm { x: Slot = X },
            "cholesky" cholesky Cholesky { x: Slot = X },
            "inverse" inverse Inverse { x: Slot = X },
            #[no_grad] "normal" normal Normal {
                rows: usize = arg(PTy::Int, "rows").within(Limit::AtLeast1),
                cols: usize = arg(PTy::Int, "columns").within(Limit::AtLeast1),
            },
            #[no_grad] "linspace" linspace Linspace {
                start: f64 = arg(PTy::Num, "the first number"),
                end: f64 = arg(PTy::Num, "the last number"),
                count: usize = arg(PTy::Int, "how many").within(Limit::Between(2.0, 65_536.0)),
            },
            #[no_grad] "eye" eye Eye {
                size: usize = arg(PTy::Int, "rows and columns").within(Limit::Between(1.0, 65_536.0)),
            },
            #[no_grad] "vector" vector Vector { values: Vec<f64> = arg(PTy::Numbers, "the numbers") },
            #[stateful] "ema" ema EmaOf {
                x: Slot = X,
                momentum: Schedule = arg(PTy::Sched, "m in m·s + (1 − m)·x").within(Limit::Prob),
            },
        }
    };
}
