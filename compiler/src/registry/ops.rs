//! Tensor ops on values of any kind: stop-gradient, normalisation, views of a value taken
//! apart, put together and averaged, concatenation, centring; and the marks of the tensor ops.

use super::declare;
use super::rules::{features, mismatch, same};
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

/// The name of the stop-gradient op, which the gradient checks look for.
pub const STOP_GRADIENT: &str = "sg";

/// Does op `op` detach its input `port` (a parameter declared `.detached()`)?
pub fn detaches_input(op: &str, port: &str) -> bool {
    super::lookup(op).is_some_and(|b| b.params.iter().any(|p| p.name == port && p.detached))
}

fn identity(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Tensor(b.tensor("x")?.0.clone()))
}

/// Elementwise on numbers: any tensor of numbers, or slots.
fn numeric(b: &Args) -> Result<Out, Diag> {
    let t = b.tensor("x")?.0;
    if !(t.is_numeric() || matches!(t, Ty::Slots { .. })) {
        return Err(mismatch(b, "x", b.builtin, "a tensor of numbers"));
    }
    identity(b)
}

fn featured(b: &Args) -> Result<Out, Diag> {
    features(b, "x", b.builtin)?;
    identity(b)
}

fn concat_views(b: &Args) -> Result<Out, Diag> {
    match b.tensor("x")?.0 {
        Ty::Vector { dim, n } => Ok(Out::Tensor(Ty::Vector { dim: dim * n, n: 1 })),
        _ => Err(mismatch(b, "x", "concat_views", "vectors")),
    }
}

/// Vectors or tokens of one view count, joined along the feature axis: tokens must agree in
/// length and class token, and keep a grid they share.
fn concat(b: &Args) -> Result<Out, Diag> {
    let (ta, tb) = (b.tensor("a")?.0, b.tensor("b")?.0);
    let n = ta.count();
    let like_a = |what: String| Err(mismatch(b, "b", "concat", format!("{what}, as `a` has")));
    match (ta, tb) {
        (Ty::Vector { dim: da, .. }, Ty::Vector { dim: db, n: nb }) if *nb == n => {
            Ok(Out::Tensor(Ty::Vector { dim: da + db, n }))
        }
        (
            Ty::Tokens {
                len,
                dim: da,
                grid,
                cls,
                ..
            },
            Ty::Tokens {
                len: lb,
                dim: db,
                grid: gb,
                cls: cb,
                n: nb,
            },
        ) if (len, cls, n) == (lb, cb, *nb) => Ok(Out::Tensor(Ty::Tokens {
            len: *len,
            dim: da + db,
            grid: if grid == gb { *grid } else { None },
            cls: *cls,
            n,
        })),
        (Ty::Vector { .. }, _) => like_a(format!("vectors, {n} view(s) per image")),
        (Ty::Tokens { len, cls, .. }, _) => like_a(format!(
            "{len} tokens{}, {n} view(s) per image",
            if *cls { " with a class token" } else { "" }
        )),
        _ => Err(mismatch(b, "a", "concat", "vectors or tokens")),
    }
}

/// A value with exactly two views per image (vectors or tokens).
fn two_views(b: &Args) -> Result<Out, Diag> {
    match b.tensor("x")?.0 {
        t @ (Ty::Vector { n: 2, .. } | Ty::Tokens { n: 2, .. }) => Ok(Out::Tensor(t.clone())),
        _ => Err(mismatch(
            b,
            "x",
            b.builtin,
            "two views per image (`view v[2]`, vectors or tokens)",
        )),
    }
}

/// Images, vectors or tokens of one shape on both sides: the views of `b` after those of `a`.
fn stack_views(b: &Args) -> Result<Out, Diag> {
    let (ta, tb) = (b.tensor("a")?.0, b.tensor("b")?.0);
    let n = ta.count() + tb.count();
    match (ta, tb) {
        (Ty::Vector { dim: da, .. }, Ty::Vector { dim: db, .. }) if da == db => Ok(Out::Tensor(ta.with_count(n))),
        (Ty::Tokens { len: la, dim: da, .. }, Ty::Tokens { len: lb, dim: db, .. }) if la == lb && da == db => {
            Ok(Out::Tensor(ta.with_count(n)))
        }
        (
            Ty::Image { c, h, w, .. },
            Ty::Image {
                c: cb, h: hb, w: wb, ..
            },
        ) if (c, h, w) == (cb, hb, wb) => Ok(Out::Tensor(ta.with_count(n))),
        (Ty::Vector { dim, .. }, _) => Err(mismatch(
            b,
            "b",
            "stack_views",
            format!("vectors of width {dim}, as `a`'s (the number of views may differ)"),
        )),
        (Ty::Tokens { len, dim, .. }, _) => Err(mismatch(
            b,
            "b",
            "stack_views",
            format!("{len} tokens of width {dim}, as `a`'s (the number of views may differ)"),
        )),
        (Ty::Image { c, h, w, .. }, _) => Err(mismatch(
            b,
            "b",
            "stack_views",
            format!("images of {c}×{h}×{w}, as `a`'s (the number of views may differ)"),
        )),
        _ => Err(mismatch(b, "a", "stack_views", "images, vectors or tokens")),
    }
}

/// Views `start` to `start + len` of vectors or tokens.
fn slice_views(b: &Args) -> Result<Out, Diag> {
    let t = b.tensor("x")?.0;
    if !matches!(t, Ty::Vector { .. } | Ty::Tokens { .. }) {
        return Err(mismatch(b, "x", "slice_views", "vectors or tokens"));
    }
    let (start, len, n) = (b.int("start"), b.int("len"), t.count());
    if start + len > n {
        return Err(Diag::OutOfRange {
            param: "len".into(),
            value: len as f64,
            range: format!(
                "at most {} (the value has {n} view(s), from `start` {start})",
                n.saturating_sub(start)
            ),
            span: b.span_of("len"),
        });
    }
    Ok(Out::Tensor(t.with_count(len)))
}

/// Vectors or tokens, unchanged in type.
fn features_kept(b: &Args) -> Result<Out, Diag> {
    match b.tensor("x")?.0 {
        t @ (Ty::Vector { .. } | Ty::Tokens { .. }) => Ok(Out::Tensor(t.clone())),
        _ => Err(mismatch(b, "x", b.builtin, "vectors or tokens")),
    }
}

fn mean_views(b: &Args) -> Result<Out, Diag> {
    match b.tensor("x")?.0 {
        t @ (Ty::Vector { .. } | Ty::Tokens { .. }) => Ok(Out::Tensor(t.with_count(1))),
        _ => Err(mismatch(b, "x", "mean_views", "vectors or tokens")),
    }
}

fn binary_same(b: &Args) -> Result<Out, Diag> {
    same(b, "a", "b", b.builtin).map(Out::Tensor)
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: STOP_GRADIENT,
        category: Category::Op,
        doc: "Stop-gradient: the value passes, its gradient does not.",
        params: declare::StopGradient,
        variadic: None,
        rule: identity,
        call: None,
        example: "let t = sg(target.projector(y))",
    },
    Builtin {
        name: "l2norm",
        category: Category::Op,
        doc: "Scales each vector or token to unit length.",
        params: declare::L2Norm,
        variadic: None,
        rule: featured,
        call: None,
        example: "let z = l2norm(h)",
    },
    Builtin {
        name: "layer_norm",
        category: Category::Op,
        doc: "LayerNorm without affine parameters over the feature axis.",
        params: declare::LayerNorm,
        variadic: None,
        rule: featured,
        call: None,
        example: "let t = layer_norm(target.projector(y))",
    },
    Builtin {
        name: "relu",
        category: Category::Op,
        doc: "max(x, 0), elementwise.",
        params: declare::Relu,
        variadic: None,
        rule: numeric,
        call: None,
        example: "let a = relu(dot(o, f))",
    },
    Builtin {
        name: "concat",
        category: Category::Op,
        doc: "Joins two values along the feature axis, `a`'s features first: vectors, or tokens \
              of one length (DINO's linear probe reads the class tokens of the last blocks, \
              concatenated).",
        params: declare::Concat,
        variadic: None,
        rule: concat,
        call: None,
        example: "let z = concat(cls(x3), cls(x4))",
    },
    Builtin {
        name: "concat_views",
        category: Category::Op,
        doc: "Concatenates the n vectors of a multi-view value into one vector of n × width.",
        params: declare::ConcatViews,
        variadic: None,
        rule: concat_views,
        call: None,
        example: "let i = concat_views(online.projector(inst_h))",
    },
    Builtin {
        name: "swap_views",
        category: Category::Op,
        doc: "The two views of each image of a two-view value, swapped: what view 1 gave, view 2 \
              now holds (each view against the other's target in one expression).",
        params: declare::SwapViews,
        variadic: None,
        rule: two_views,
        call: None,
        example: "loss byol = neg_cosine(p, sg(swap_views(t)))",
    },
    Builtin {
        name: "stack_views",
        category: Category::Op,
        doc: "The views of `b` after those of `a`, as one value of their views together: two \
              differently augmented views as one batch for one network call, or a multi-crop \
              set's global and local outputs, encoded at their own sizes, as one student \
              output. Both sides images of one size, vectors of one width, or tokens of one \
              length and width; the number of views may differ.",
        params: declare::StackViews,
        variadic: None,
        rule: stack_views,
        call: None,
        example: "let s = stack_views(g |> student.backbone |> cls, l |> student.backbone |> cls)",
    },
    Builtin {
        name: "slice_views",
        category: Category::Op,
        doc: "Views `start` to `start + len` of a multi-view value (counting from 0).",
        params: declare::SliceViews,
        variadic: None,
        rule: slice_views,
        call: None,
        example: "let first = slice_views(z, start: 0, len: 1)",
    },
    Builtin {
        name: "center",
        category: Category::Op,
        doc: "`x` less a centre c kept across steps: c ← m·c + (1 − m)·mean(x) after each step, \
              the mean over every row of the batch (all views, all tokens), starting at 0 \
              (DINO's and iBOT's teacher centring). Bound by `let`, one centre serves every \
              loss that reads the name; checkpoints keep it.",
        params: declare::Center,
        variadic: None,
        rule: features_kept,
        call: None,
        example: "let t = g |> teacher.backbone |> cls |> teacher.head |> center(momentum: 0.9)",
    },
    Builtin {
        name: "mean_views",
        category: Category::Op,
        doc: "Averages the n views (instances) of a value into one.",
        params: declare::MeanViews,
        variadic: None,
        rule: mean_views,
        call: None,
        example: "let m = mean_views(local_out)",
    },
    Builtin {
        name: "maximum",
        category: Category::Op,
        doc: "Elementwise maximum of two values of the same type.",
        params: declare::Maximum,
        variadic: None,
        rule: binary_same,
        call: None,
        example: "let m = maximum(a, b)",
    },
];

/// Generates `marks`, the marks of each op in the plan's list of tensor ops.
macro_rules! op_marks {
    ($Enum:ident, $doc:literal; $($(#[$flag:ident])* $name:literal $module:ident $Op:ident { $($field:ident : $ty:ty = $param:expr),* $(,)? }),* $(,)?) => {
        /// The marks of built-in `name` in `tensor_ops!` (`no_grad`, `stateful`); none for a
        /// built-in that is not a tensor op.
        fn marks(name: &str) -> &'static [&'static str] {
            match name {
                $($name => &[$(stringify!($flag)),*],)*
                _ => &[],
            }
        }
    };
}

crate::tensor_ops!(op_marks);

/// Whether built-in `name`'s output carries no gradient: the ops marked `#[no_grad]` in
/// `tensor_ops!`.
pub fn stops_gradient(name: &str) -> bool {
    marks(name).contains(&"no_grad")
}

/// Whether built-in `name` keeps state across steps (a centre, a memory bank): the ops marked
/// `#[stateful]` in `tensor_ops!`. A probe's own run of such an op would start it afresh.
pub fn keeps_state(name: &str) -> bool {
    marks(name).contains(&"stateful")
}

/// Whether built-in `name` with constant parameters `params` couples the images of a batch:
/// the ops marked `#[batch]` in `tensor_ops!`, and any reduction or softmax over the batch.
/// Across ranks such a step sees every rank's images.
pub fn couples_batch(name: &str, params: &[(String, crate::value::Param)]) -> bool {
    marks(name).contains(&"batch")
        || params
            .iter()
            .any(|(p, v)| p == "over" && matches!(v, crate::value::Param::Str(s) if s == "batch"))
}

/// Whether built-in `name` is marked `#[batch]`: it couples the images whatever its parameters.
pub fn marked_batch(name: &str) -> bool {
    marks(name).contains(&"batch")
}
