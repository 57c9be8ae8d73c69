//! Masks over token grids: random, blockwise, patch and window queries.

use super::declare;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

fn grid(b: &Args) -> (u64, u64) {
    let g = b.int("grid");
    (g, g)
}

/// A mask over `grid` keeping `keep` tokens, unless it keeps none: an encoder that drops the
/// masked tokens would then have nothing to encode. `param` is what set the masked share.
fn keeping(b: &Args, param: &str, grid: (u64, u64), keep: u64) -> Result<Out, Diag> {
    if keep == 0 {
        return Err(Diag::OutOfRange {
            param: param.into(),
            value: b.num(param),
            range: format!(
                "a value that leaves at least one of the {} tokens visible",
                grid.0 * grid.1
            ),
            span: b.span_of(param),
        });
    }
    Ok(Out::Tensor(Ty::Mask {
        grid,
        keep: Some(keep),
        n: 1,
    }))
}

/// MAE's fixed ratio, or iBOT's: a ratio drawn per image from a range, and only a share `p`
/// of the images masked, so that each image keeps its own count.
fn ratio(b: &Args) -> Result<Out, Diag> {
    let (h, w) = grid(b);
    let total = h * w;
    let (lo, hi) = b.pair("ratio");
    let masked = ((total as f64) * hi).round() as u64;
    let fixed = keeping(b, "ratio", (h, w), total - masked.min(total))?;
    if lo == hi && b.num("p") == 1.0 {
        Ok(fixed)
    } else {
        Ok(Out::Tensor(Ty::Mask {
            grid: (h, w),
            keep: None,
            n: 1,
        }))
    }
}

/// SimMIM: a `ratio` of the `block`×`block` squares is masked, so whole squares count.
fn squares(b: &Args) -> Result<Out, Diag> {
    let (h, w) = grid(b);
    let side = b.int("block").max(1);
    if h % side != 0 {
        return Err(Diag::OutOfRange {
            param: "block".into(),
            value: side as f64,
            range: format!("a divisor of the grid side {h}"),
            span: b.span_of("block"),
        });
    }
    let squares = (h / side) * (w / side);
    let masked = ((squares as f64) * b.num("ratio")).round() as u64 * side * side;
    keeping(b, "ratio", (h, w), h * w - masked.min(h * w))
}

/// BEiT's exact count, or a share drawn per image from a range (DINOv2) with only a share `p`
/// of the images masked; `inverse` keeps the blocks and masks the rest, the masked share the
/// same.
fn block(b: &Args) -> Result<Out, Diag> {
    let (h, w) = grid(b);
    let total = h * w;
    match (b.is_given("count"), b.is_given("ratio")) {
        (true, true) | (false, false) => {
            let (param, span) = if b.is_given("count") {
                ("ratio", b.span_of("ratio"))
            } else {
                ("count", b.span)
            };
            return Err(Diag::OutOfRange {
                param: param.into(),
                value: if param == "ratio" { b.pair("ratio").1 } else { 0.0 },
                range: "given alone: `count` (an exact number of masked tokens) or `ratio` \
                        (a share, or a range to draw it from per image), one of the two"
                    .into(),
                span,
            });
        }
        (true, false) => {
            let count = b.int("count");
            if count > total {
                return Err(Diag::OutOfRange {
                    param: "count".into(),
                    value: count as f64,
                    range: format!("at most the {total} tokens of the grid"),
                    span: b.span_of("count"),
                });
            }
            let fixed = keeping(b, "count", (h, w), total - count)?;
            if b.num("p") == 1.0 {
                return Ok(fixed);
            }
        }
        (false, true) => {
            let (lo, hi) = b.pair("ratio");
            let masked = ((total as f64) * hi).round() as u64;
            let fixed = keeping(b, "ratio", (h, w), total - masked.min(total))?;
            if lo == hi && b.num("p") == 1.0 {
                return Ok(fixed);
            }
        }
    }
    Ok(Out::Tensor(Ty::Mask {
        grid: (h, w),
        keep: None,
        n: 1,
    }))
}

fn windows(b: &Args) -> Result<Out, Diag> {
    let (h, w) = grid(b);
    let k = b.int("window");
    Ok(Out::Tensor(Ty::Mask {
        grid: (h, w),
        keep: Some(h.div_ceil(k) * w.div_ceil(k)),
        n: 1,
    }))
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "random_mask",
        category: Category::Mask,
        doc: "Masks a uniformly random `ratio` of the tokens, independently per image (MAE). \
              With a range `ratio: (lo, hi)` each image draws its own ratio, and with `p` below 1 \
              only that share of the images is masked at all (iBOT: `p: 0.5`, `(0.1, 0.5)`); \
              each image then keeps its own count (`keep varies`), which `vit(mask_token: true)` \
              and a loss's `mask:` take, but dropping and selecting tokens do not. \
              Drawn once per image, the same pattern for every view of a value with several \
              views; `mask m[2]` draws one per view.",
        params: declare::RandomMask,
        variadic: None,
        rule: ratio,
        call: None,
        example: "mask m = random_mask(grid: 8, ratio: 0.75)",
    },
    Builtin {
        name: "block_mask",
        category: Category::Mask,
        doc: "BEiT blockwise masking: rectangles of at least `min_block` tokens with aspect in \
              `aspect`, added until exactly `count` tokens are masked; or, with `ratio`, a share \
              of the tokens, drawn per image from a range `(lo, hi)` and with only a share `p` of \
              the images masked at all (DINOv2: `ratio: (0.1, 0.5), p: 0.5`; each image then \
              keeps its own count, `keep varies`). With `inverse: true` the blocks are what stays \
              visible and everything else is masked, the masked share unchanged (data2vec 2.0's \
              and CAPI's inverse block masking). \
              Drawn once per image, the same pattern for every view of a value with several \
              views; `mask m[2]` draws one per view.",
        params: declare::BlockMask,
        variadic: None,
        rule: block,
        call: None,
        example: "mask m = block_mask(grid: 14, count: 118)",
    },
    Builtin {
        name: "patch_mask",
        category: Category::Mask,
        doc: "SimMIM masking: the grid is cut into `block`×`block` squares and a `ratio` of them \
              is masked. \
              Drawn once per image, the same pattern for every view of a value with several \
              views; `mask m[2]` draws one per view.",
        params: declare::PatchMask,
        variadic: None,
        rule: squares,
        call: None,
        example: "mask m = patch_mask(grid: 8, ratio: 0.6, block: 2)",
    },
    Builtin {
        name: "window_queries",
        category: Category::Mask,
        doc: "Selects one random token in every `window`×`window` window (FLSL query sampling). \
              Selected tokens are the mask's kept tokens. \
              Drawn once per image, the same pattern for every view of a value with several \
              views; `mask m[2]` draws one per view.",
        params: declare::WindowQueries,
        variadic: None,
        rule: windows,
        call: None,
        example: "mask q = window_queries(grid: 8, window: 2)",
    },
];
