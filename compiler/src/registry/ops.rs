//! Tensor ops: stop-gradient, pooling, normalisation, attention, token plumbing, transport.

use super::rules::{exact_keep, features, mask_views, mismatch, same};
use super::{Args, Builtin, Category, Limit, Out, PTy, Param, opt, req};
use crate::diag::Diag;
use crate::types::Ty;

/// The name of the stop-gradient op, which the gradient checks look for.
pub const STOP_GRADIENT: &str = "sg";

/// Inputs an op detaches itself, as `(op, parameter)`: no gradient flows back into them (the
/// runtime's forward of each detaches that input).
const DETACHED_INPUTS: &[(&str, &str)] = &[("soft_ce", "b"), ("cross_entropy", "target")];

/// Does op `op` detach its input `port`?
pub fn detaches_input(op: &str, port: &str) -> bool {
    DETACHED_INPUTS.contains(&(op, port))
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

/// The fields of a tokens type: (len, dim, grid, cls, n).
type TokenShape = (u64, u64, Option<(u64, u64)>, bool, u64);

fn tokens(b: &Args, arg: &str) -> Result<TokenShape, Diag> {
    match b.tensor(arg)?.0 {
        Ty::Tokens { len, dim, grid, cls, n } => Ok((*len, *dim, *grid, *cls, *n)),
        _ => Err(mismatch(b, arg, b.builtin, "tokens")),
    }
}

fn cls(b: &Args) -> Result<Out, Diag> {
    let (_, dim, _, cls, n) = tokens(b, "x")?;
    if !cls {
        return Err(mismatch(b, "x", "cls", "tokens with a class token (`vit(cls: true)`)"));
    }
    Ok(Out::Tensor(Ty::Vector { dim, n }))
}

fn patches(b: &Args) -> Result<Out, Diag> {
    let (len, dim, grid, cls, n) = tokens(b, "x")?;
    if !cls {
        // Tokens without a class token are all patches already: the value itself, no step.
        if let Some(x) = b.get("x") {
            return Ok(Out::Value(x.clone()));
        }
    }
    Ok(Out::Tensor(Ty::Tokens {
        len: len - u64::from(cls),
        dim,
        grid,
        cls: false,
        n,
    }))
}

fn mean_tokens(b: &Args) -> Result<Out, Diag> {
    let (_, dim, _, _, n) = tokens(b, "x")?;
    Ok(Out::Tensor(Ty::Vector { dim, n }))
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

fn concat_tokens(b: &Args) -> Result<Out, Diag> {
    let (la, da, _, cls, n) = tokens(b, "a")?;
    let (lb, db, _, _, _) = tokens(b, "b")?;
    if da != db {
        return Err(mismatch(b, "b", "concat_tokens", format!("tokens of width {da}")));
    }
    Ok(Out::Tensor(Ty::Tokens {
        len: la + lb,
        dim: da,
        grid: None,
        cls,
        n,
    }))
}

fn slice_tokens(b: &Args) -> Result<Out, Diag> {
    let (len, dim, _, _, n) = tokens(b, "x")?;
    let (start, count) = (b.int("start"), b.int("len"));
    if start + count > len {
        return Err(mismatch(
            b,
            "x",
            "slice_tokens",
            format!("at least {} tokens", start + count),
        ));
    }
    Ok(Out::Tensor(Ty::Tokens {
        len: count,
        dim,
        grid: None,
        cls: false,
        n,
    }))
}

fn last_tokens(b: &Args) -> Result<Out, Diag> {
    let (len, dim, _, _, n) = tokens(b, "x")?;
    let count = b.int("len");
    if count > len {
        return Err(mismatch(b, "x", "last_tokens", format!("at least {count} tokens")));
    }
    let grid = (count as f64).sqrt() as u64;
    let grid = (grid * grid == count).then_some((grid, grid));
    Ok(Out::Tensor(Ty::Tokens {
        len: count,
        dim,
        grid,
        cls: false,
        n,
    }))
}

fn select(b: &Args) -> Result<Out, Diag> {
    let (len, dim, grid, cls, n) = tokens(b, "x")?;
    let Ty::Mask { grid: mg, keep, .. } = b.tensor("mask")?.0.clone() else {
        return Err(mismatch(b, "mask", "select", "a mask"));
    };
    mask_views(b, "mask", "select", n)?;
    let keep = exact_keep(b, "mask", "select", keep)?;
    if grid != Some(mg) || len != mg.0 * mg.1 + u64::from(cls) {
        return Err(mismatch(
            b,
            "x",
            "select",
            format!("tokens on the mask's {}×{} grid", mg.0, mg.1),
        ));
    }
    if b.flag("masked") && keep == mg.0 * mg.1 {
        return Err(mismatch(
            b,
            "mask",
            "select",
            "a mask that hides at least one token, with `masked: true`",
        ));
    }
    Ok(Out::Tensor(Ty::Tokens {
        len: if b.flag("masked") { mg.0 * mg.1 - keep } else { keep },
        dim,
        grid: None,
        cls: false,
        n,
    }))
}

fn attend(b: &Args) -> Result<Out, Diag> {
    let (lq, dq, _, _, n) = tokens(b, "q")?;
    let (_, dk, _, _, _) = tokens(b, "k")?;
    if dq != dk {
        return Err(mismatch(b, "k", "attend", format!("tokens of width {dq}")));
    }
    Ok(Out::Tensor(Ty::Tokens {
        len: lq,
        dim: dk,
        grid: None,
        cls: false,
        n,
    }))
}

fn segment_pool(b: &Args) -> Result<Out, Diag> {
    let (_, dim, grid, _, _) = tokens(b, "x")?;
    if grid.is_none() {
        return Err(mismatch(b, "x", "segment_pool", "tokens on a grid"));
    }
    if !matches!(b.tensor("segments")?.0, Ty::Segments { .. }) {
        return Err(mismatch(b, "segments", "segment_pool", "a segment map"));
    }
    Ok(Out::Tensor(Ty::Slots {
        slots: b.int("slots"),
        dim,
    }))
}

fn vectors(b: &Args, arg: &str) -> Result<(u64, u64), Diag> {
    match b.tensor(arg)?.0 {
        Ty::Vector { dim, n } => Ok((*dim, *n)),
        Ty::Bank { .. } => Err(mismatch(
            b,
            arg,
            b.builtin,
            "vectors of each image (against every vector of a memory bank, `batch_dot(a, bank)`)",
        )),
        Ty::Tokens { .. } => Err(mismatch(b, arg, b.builtin, "vectors (pool tokens first, e.g. `cls`)")),
        _ => Err(mismatch(b, arg, b.builtin, "vectors")),
    }
}

fn pairwise(b: &Args) -> Result<Out, Diag> {
    let (da, na) = vectors(b, "a")?;
    if matches!(b.tensor("b")?.0, Ty::Bank { .. }) {
        return Err(mismatch(
            b,
            "b",
            "pairwise_cosine",
            "the vectors of the same image (against a memory bank, `batch_dot(l2norm(a), bank)` of a bank of unit vectors)",
        ));
    }
    let (db, nb) = vectors(b, "b")?;
    if da != db {
        return Err(mismatch(b, "b", b.builtin, format!("vectors of width {da}")));
    }
    Ok(Out::Tensor(Ty::Matrix {
        rows: na,
        cols: nb,
        n: 1,
    }))
}

fn dot(b: &Args) -> Result<Out, Diag> {
    let (da, na) = vectors(b, "a")?;
    let (db, nb) = vectors(b, "b")?;
    if da != db {
        return Err(mismatch(b, "b", "dot", format!("vectors of width {da}")));
    }
    if nb != 1 && nb != na {
        return Err(mismatch(b, "b", "dot", format!("one vector or {na}")));
    }
    Ok(Out::Tensor(Ty::Scalar { n: na }))
}

fn sinkhorn(b: &Args) -> Result<Out, Diag> {
    let Ty::Matrix { rows, cols, n: 1 } = b.tensor("cost")?.0.clone() else {
        return Err(mismatch(
            b,
            "cost",
            "sinkhorn",
            "a cost matrix per image (for the batch × prototypes matrix, `batch_sinkhorn`)",
        ));
    };
    for (arg, len) in [("rows", rows), ("cols", cols)] {
        if b.tensor(arg)?.0 != &(Ty::Scalar { n: len }) {
            return Err(mismatch(b, arg, "sinkhorn", format!("{len} marginals (one per {arg})")));
        }
    }
    Ok(Out::Tensor(Ty::Matrix { rows, cols, n: 1 }))
}

fn batch_sinkhorn(b: &Args) -> Result<Out, Diag> {
    let t = match b.tensor("x")?.0 {
        t @ (Ty::Vector { .. } | Ty::Tokens { .. }) => t,
        _ => {
            return Err(mismatch(
                b,
                "x",
                "batch_sinkhorn",
                "prototype scores: a vector per image, or tokens (for a memory of earlier scores, give it as `extra:`)",
            ));
        }
    };
    match (b.tensor_opt("extra"), t.feature_dim()) {
        (None, _) => {}
        (Some((Ty::Bank { dim, .. }, _)), Some(k)) if *dim == k => {}
        (Some(_), k) => {
            return Err(mismatch(
                b,
                "extra",
                "batch_sinkhorn",
                format!(
                    "a memory bank of earlier scores of width {} (`queue(scores, size: N)`)",
                    k.unwrap_or(0)
                ),
            ));
        }
    }
    Ok(Out::Tensor(t.clone()))
}

fn queue(b: &Args) -> Result<Out, Diag> {
    match b.tensor("x")?.0 {
        Ty::Vector { dim, .. } => Ok(Out::Tensor(Ty::Bank {
            size: b.int("size"),
            dim: *dim,
        })),
        _ => Err(mismatch(
            b,
            "x",
            "queue",
            "a vector per image (pool tokens first, e.g. `cls`)",
        )),
    }
}

fn nearest(b: &Args) -> Result<Out, Diag> {
    let Ty::Vector { dim, .. } = b.tensor("x")?.0.clone() else {
        return Err(mismatch(b, "x", "nearest", "a vector per image"));
    };
    match b.tensor("bank")?.0 {
        Ty::Bank { dim: d, .. } | Ty::Vector { dim: d, .. } if *d == dim => Ok(Out::Tensor(b.tensor("x")?.0.clone())),
        _ => Err(mismatch(
            b,
            "bank",
            "nearest",
            format!("a memory bank of vectors of width {dim} (`queue`), or the batch's vectors of that width"),
        )),
    }
}

fn patchify(b: &Args) -> Result<Out, Diag> {
    let Ty::Image { c, h, w, n } = b.tensor("x")?.0.clone() else {
        return Err(mismatch(b, "x", "patchify", "an image"));
    };
    let p = b.int("patch");
    if h % p != 0 || w % p != 0 {
        return Err(mismatch(b, "x", "patchify", format!("a side divisible by {p}")));
    }
    let grid = (h / p, w / p);
    Ok(Out::Tensor(Ty::Tokens {
        len: grid.0 * grid.1,
        dim: c * p * p,
        grid: Some(grid),
        cls: false,
        n,
    }))
}

fn binary_same(b: &Args) -> Result<Out, Diag> {
    same(b, "a", "b", b.builtin).map(Out::Tensor)
}

const X: Param = req("x", PTy::Tensor, "the input");

pub static ALL: &[Builtin] = &[
    Builtin {
        name: STOP_GRADIENT,
        category: Category::Op,
        doc: "Stop-gradient: the value passes, its gradient does not.",
        params: &[X],
        variadic: None,
        rule: identity,
        call: None,
        example: "let t = sg(target.projector(y))",
    },
    Builtin {
        name: "cls",
        category: Category::Op,
        doc: "The class token of a token sequence, as a vector.",
        params: &[X],
        variadic: None,
        rule: cls,
        call: None,
        example: "let h = online.backbone(v1) |> cls",
    },
    Builtin {
        name: "patches",
        category: Category::Op,
        doc: "The tokens without the class token (tokens without one pass unchanged).",
        params: &[X],
        variadic: None,
        rule: patches,
        call: None,
        example: "let z = online.backbone(v1) |> patches",
    },
    Builtin {
        name: "mean_tokens",
        category: Category::Op,
        doc: "Average of all tokens, as a vector.",
        params: &[X],
        variadic: None,
        rule: mean_tokens,
        call: None,
        example: "let h = online.backbone(v1) |> mean_tokens",
    },
    Builtin {
        name: "l2norm",
        category: Category::Op,
        doc: "Scales each vector or token to unit length.",
        params: &[X],
        variadic: None,
        rule: featured,
        call: None,
        example: "let z = l2norm(h)",
    },
    Builtin {
        name: "layer_norm",
        category: Category::Op,
        doc: "LayerNorm without affine parameters over the feature axis.",
        params: &[X],
        variadic: None,
        rule: featured,
        call: None,
        example: "let t = layer_norm(target.projector(y))",
    },
    Builtin {
        name: "relu",
        category: Category::Op,
        doc: "max(x, 0), elementwise.",
        params: &[X],
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
        params: &[
            req("a", PTy::Tensor, "first features"),
            req("b", PTy::Tensor, "second features"),
        ],
        variadic: None,
        rule: concat,
        call: None,
        example: "let z = concat(cls(x3), cls(x4))",
    },
    Builtin {
        name: "concat_views",
        category: Category::Op,
        doc: "Concatenates the n vectors of a multi-view value into one vector of n × width.",
        params: &[X],
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
        params: &[X],
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
        params: &[
            req("a", PTy::Tensor, "the first views"),
            req("b", PTy::Tensor, "the views after them"),
        ],
        variadic: None,
        rule: stack_views,
        call: None,
        example: "let s = stack_views(g |> student.backbone |> cls, l |> student.backbone |> cls)",
    },
    Builtin {
        name: "slice_views",
        category: Category::Op,
        doc: "Views `start` to `start + len` of a multi-view value (counting from 0).",
        params: &[
            X,
            req("start", PTy::Int, "the first view kept").within(Limit::NonNeg),
            req("len", PTy::Int, "how many views").within(Limit::AtLeast1),
        ],
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
        params: &[
            X,
            opt("momentum", PTy::Sched, "0.9", "m in c ← m·c + (1 − m)·mean(x)").within(Limit::Prob),
        ],
        variadic: None,
        rule: features_kept,
        call: None,
        example: "let t = g |> teacher.backbone |> cls |> teacher.head |> center(momentum: 0.9)",
    },
    Builtin {
        name: "mean_views",
        category: Category::Op,
        doc: "Averages the n views (instances) of a value into one.",
        params: &[X],
        variadic: None,
        rule: mean_views,
        call: None,
        example: "let m = mean_views(local_out)",
    },
    Builtin {
        name: "concat_tokens",
        category: Category::Op,
        doc: "Joins two token sequences of the same width, `a` first.",
        params: &[
            req("a", PTy::Tensor, "first tokens"),
            req("b", PTy::Tensor, "second tokens"),
        ],
        variadic: None,
        rule: concat_tokens,
        call: None,
        example: "let seq = concat_tokens(visible, queries)",
    },
    Builtin {
        name: "slice_tokens",
        category: Category::Op,
        doc: "`len` tokens starting at `start`.",
        params: &[
            X,
            req("start", PTy::Int, "first token").within(Limit::NonNeg),
            req("len", PTy::Int, "number of tokens").within(Limit::AtLeast1),
        ],
        variadic: None,
        rule: slice_tokens,
        call: None,
        example: "let q = slice_tokens(seq, start: 1, len: 16)",
    },
    Builtin {
        name: "last_tokens",
        category: Category::Op,
        doc: "The last `len` tokens (a square count is kept as a grid).",
        params: &[X, req("len", PTy::Int, "number of tokens").within(Limit::AtLeast1)],
        variadic: None,
        rule: last_tokens,
        call: None,
        example: "let pred = last_tokens(seq, len: 64)",
    },
    Builtin {
        name: "select",
        category: Category::Op,
        doc: "The tokens a mask keeps (visible or selected), in grid order; with `masked: true` \
              the ones it hides instead (a loss on the masked places only: iBOT, data2vec).",
        params: &[
            X,
            req("mask", PTy::Tensor, "the mask"),
            opt(
                "masked",
                PTy::Bool,
                "false",
                "take the masked tokens instead of the kept ones",
            ),
        ],
        variadic: None,
        rule: select,
        call: None,
        example: "let q = select(z, q_mask)",
    },
    Builtin {
        name: "attend",
        category: Category::Op,
        doc: "Non-parametric attention `softmax(beta · q kᵀ) k` over the tokens of `k` \
              (FLSL mean-shift; with `k` = `q` it is intra-view).",
        params: &[
            req("q", PTy::Tensor, "queries"),
            req("k", PTy::Tensor, "keys, also the values"),
            req("beta", PTy::Sched, "inverse temperature").within(Limit::Positive),
        ],
        variadic: None,
        rule: attend,
        call: None,
        example: "let zhat = attend(q, z, beta: 0.0125)",
    },
    Builtin {
        name: "segment_pool",
        category: Category::Op,
        doc: "Averages grid features inside each segment of a segment map downsampled to the \
              grid (argmax per cell), for `slots` segment ids sampled among those present.",
        params: &[
            X,
            req("segments", PTy::Tensor, "the view's segment map"),
            opt("slots", PTy::Int, "16", "segments sampled per image").within(Limit::AtLeast1),
        ],
        variadic: None,
        rule: segment_pool,
        call: None,
        example: "let e1 = segment_pool(h1, seg1, slots: 8)",
    },
    Builtin {
        name: "pairwise_cosine",
        category: Category::Op,
        doc: "Cosine similarity of every vector of `a` with every vector of `b` of the same \
              image (their views or instances). Against the whole batch or a memory bank, \
              `batch_dot` of unit vectors.",
        params: &[req("a", PTy::Tensor, "n vectors"), req("b", PTy::Tensor, "m vectors")],
        variadic: None,
        rule: pairwise,
        call: None,
        example: "let sim = pairwise_cosine(o, t)",
    },
    Builtin {
        name: "dot",
        category: Category::Op,
        doc: "Dot product of each vector of `a` with `b` (one vector, or one per vector of `a`).",
        params: &[
            req("a", PTy::Tensor, "n vectors"),
            req("b", PTy::Tensor, "one or n vectors"),
        ],
        variadic: None,
        rule: dot,
        call: None,
        example: "let supply = relu(dot(o, f))",
    },
    Builtin {
        name: "queue",
        category: Category::Op,
        doc: "A memory of the last `size` vectors of `x` across steps, first in first out \
              (MoCo's queue of keys, NNCLR's support set, SwAV's queue of scores for \
              `batch_sinkhorn(extra:)`). Its value is the memory \
              as it stood before this step, a `bank` shared by the batch; after it is read, this \
              step's vectors (every view's, detached) go in and the oldest go out. It starts \
              as random unit vectors, as MoCo's does, and checkpoints keep it. Bound by `let`, \
              one memory serves every use of the name. Without gradient.",
        params: &[X, req("size", PTy::Int, "vectors kept").within(Limit::AtLeast1)],
        variadic: None,
        rule: queue,
        call: None,
        example: "let bank = queue(k, size: 4096)",
    },
    Builtin {
        name: "nearest",
        category: Category::Op,
        doc: "Each vector of `x` replaced by its nearest neighbour in `bank` by cosine \
              similarity (NNCLR's support set). `bank` may instead be vectors of the batch: each \
              row's nearest among the other images' vectors (its own image left out). Without \
              gradient.",
        params: &[
            X,
            req(
                "bank",
                PTy::Tensor,
                "the memory to search (`queue`), or the batch's vectors",
            ),
        ],
        variadic: None,
        rule: nearest,
        call: None,
        example: "let nn = nearest(z1, support)",
    },
    Builtin {
        name: "batch_sinkhorn",
        category: Category::Op,
        doc: "Sinkhorn-Knopp over the batch: from each image's scores against K prototypes \
              (vectors[K]), soft codes Q with every prototype given an equal share of the batch \
              and each image's code summing to 1 (SwAV, SeLa, DeepCluster-v2): Q = exp(x/eps), \
              then `iters` times, columns to 1/K, rows to 1/B; Q·B. Each view of a counted value \
              is balanced over the batch on its own; tokens are balanced over every token of the \
              batch (DINOv2's and CAPI's codes for patches). With `extra:` a memory of earlier scores \
              joins each view's images for the balancing, as SwAV's queue does when its batch is \
              small; only the batch's codes come back. Without gradient.",
        params: &[
            X,
            opt("eps", PTy::Sched, "0.05", "entropic regularisation").within(Limit::Positive),
            opt("iters", PTy::Int, "3", "iterations").within(Limit::AtLeast1),
            opt(
                "extra",
                PTy::Tensor,
                "none",
                "a memory of earlier scores (`queue(scores, size: N)`) balanced with the batch, given no code",
            ),
        ],
        variadic: None,
        rule: batch_sinkhorn,
        call: None,
        example: "let q1 = batch_sinkhorn(sg(scores1), eps: 0.05, iters: 3)",
    },
    Builtin {
        name: "sinkhorn",
        category: Category::Op,
        doc: "Log-domain Sinkhorn-Knopp on `exp(-cost / eps)` with row and column marginals \
              (normalised to equal mass), one cost matrix per image (UniVIP's tokens against \
              instances); returns the transport plan, without gradient. For the batch × \
              prototypes matrix of SwAV, `batch_sinkhorn`.",
        params: &[
            req("cost", PTy::Tensor, "cost matrix"),
            req("rows", PTy::Tensor, "row marginals"),
            req("cols", PTy::Tensor, "column marginals"),
            opt("eps", PTy::Sched, "0.1", "entropic regularisation").within(Limit::Positive),
            opt("iters", PTy::Int, "50", "iterations").within(Limit::AtLeast1),
        ],
        variadic: None,
        rule: sinkhorn,
        call: None,
        example: "let plan = sinkhorn(1 - sim, supply, demand, eps: 0.1)",
    },
    Builtin {
        name: "patchify",
        category: Category::Op,
        doc: "Cuts an image into patch tokens of its pixels; with `normalize` each patch is \
              normalised to zero mean and unit variance (MAE/SimMIM targets).",
        params: &[
            X,
            req("patch", PTy::Int, "patch side").within(Limit::AtLeast1),
            opt("normalize", PTy::Bool, "true", "per-patch normalisation"),
        ],
        variadic: None,
        rule: patchify,
        call: None,
        example: "let target = patchify(v1, patch: 4)",
    },
    Builtin {
        name: "maximum",
        category: Category::Op,
        doc: "Elementwise maximum of two values of the same type.",
        params: &[req("a", PTy::Tensor, "first"), req("b", PTy::Tensor, "second")],
        variadic: None,
        rule: binary_same,
        call: None,
        example: "let m = maximum(a, b)",
    },
];

/// Generates `marks`, the marks of each op in the plan's list of tensor ops.
macro_rules! op_marks {
    ($Enum:ident, $doc:literal; $($(#[$flag:ident])* $name:literal $module:ident $Op:ident { $($field:ident : $ty:ty),* $(,)? }),* $(,)?) => {
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
