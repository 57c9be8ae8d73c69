//! Token ops: the class token, the patch tokens and their mean, slices and concatenations of
//! token sets, the tokens a mask selects, attention pooling, segment pooling and patchify.

use super::declare;
use super::rules::{exact_keep, mask_views, mismatch};
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

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

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "cls",
        category: Category::Op,
        doc: "The class token of a token sequence, as a vector.",
        params: declare::Cls,
        variadic: None,
        rule: cls,
        call: None,
        example: "let h = online.backbone(v1) |> cls",
    },
    Builtin {
        name: "patches",
        category: Category::Op,
        doc: "The tokens without the class token (tokens without one pass unchanged).",
        params: declare::Patches,
        variadic: None,
        rule: patches,
        call: None,
        example: "let z = online.backbone(v1) |> patches",
    },
    Builtin {
        name: "mean_tokens",
        category: Category::Op,
        doc: "Average of all tokens, as a vector.",
        params: declare::MeanTokens,
        variadic: None,
        rule: mean_tokens,
        call: None,
        example: "let h = online.backbone(v1) |> mean_tokens",
    },
    Builtin {
        name: "concat_tokens",
        category: Category::Op,
        doc: "Joins two token sequences of the same width, `a` first.",
        params: declare::ConcatTokens,
        variadic: None,
        rule: concat_tokens,
        call: None,
        example: "let seq = concat_tokens(visible, queries)",
    },
    Builtin {
        name: "slice_tokens",
        category: Category::Op,
        doc: "`len` tokens starting at `start`.",
        params: declare::SliceTokens,
        variadic: None,
        rule: slice_tokens,
        call: None,
        example: "let q = slice_tokens(seq, start: 1, len: 16)",
    },
    Builtin {
        name: "last_tokens",
        category: Category::Op,
        doc: "The last `len` tokens (a square count is kept as a grid).",
        params: declare::LastTokens,
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
        params: declare::Select,
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
        params: declare::Attend,
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
        params: declare::SegmentPool,
        variadic: None,
        rule: segment_pool,
        call: None,
        example: "let e1 = segment_pool(h1, seg1, slots: 8)",
    },
    Builtin {
        name: "patchify",
        category: Category::Op,
        doc: "Cuts an image into patch tokens of its pixels; with `normalize` each patch is \
              normalised to zero mean and unit variance (MAE/SimMIM targets).",
        params: declare::Patchify,
        variadic: None,
        rule: patchify,
        call: None,
        example: "let target = patchify(v1, patch: 4)",
    },
];
