//! Loss built-ins that compare a prediction with a target row by row (cosine, squared and L1
//! errors, with a mask on tokens), labels, UniGrad and the redundancy-reduction losses; each returns a
//! scalar per batch, ready to be a loss term. The contrastive ones are in `contrastive`.

use super::declare;
use super::rules::{features, mask_views, mismatch, same};
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

/// The feature width of `arg`, which must be vectors or tokens: rows the loss reads one by
/// one. Slots (segment-pooled features, padded per image) are for `detcon`.
pub(super) fn rows(b: &Args, arg: &str) -> Result<u64, Diag> {
    if matches!(b.tensor(arg)?.0, Ty::Slots { .. }) {
        return Err(mismatch(b, arg, b.builtin, "vectors or tokens (slots are `detcon`'s)"));
    }
    features(b, arg, b.builtin)
}

pub(super) fn scalar() -> Result<Out, Diag> {
    Ok(Out::Tensor(Ty::Scalar { n: 1 }))
}

/// Each of `sides` must be one vector per image; `expected` says what to give instead.
pub(super) fn vectors(b: &Args, sides: [&str; 2], expected: &str) -> Result<(), Diag> {
    for side in sides {
        if !matches!(b.tensor(side)?.0, Ty::Vector { .. }) {
            return Err(mismatch(b, side, b.builtin, expected));
        }
    }
    Ok(())
}

/// Two inputs of the same width; multiplicities must match or one must be 1.
pub(super) fn paired(b: &Args) -> Result<Out, Diag> {
    paired_as(b, "a", "b")
}

/// As `paired`, for inputs named `first` and `second`.
pub(super) fn paired_as(b: &Args, first: &str, second: &str) -> Result<Out, Diag> {
    let (ta, _) = b.tensor(first)?;
    let (tb, sb) = b.tensor(second)?;
    let da = rows(b, first)?;
    let db = rows(b, second)?;
    let kind = std::mem::discriminant(ta) == std::mem::discriminant(tb);
    let counts = ta.count() == tb.count() || ta.count() == 1 || tb.count() == 1;
    // Tokens pair up one to one: as many on both sides.
    let tokens = match (ta, tb) {
        (Ty::Tokens { len: la, .. }, Ty::Tokens { len: lb, .. }) => la == lb,
        _ => true,
    };
    if da != db || !kind || !counts || !tokens {
        return Err(Diag::ShapeMismatch {
            what: b.builtin.into(),
            expected: format!("{ta} (like `{first}`)"),
            found: tb.to_string(),
            span: sb,
            other: Some((b.span_of(first), format!("`{first}` is {ta}"))),
            because: vec![],
        });
    }
    scalar()
}

/// A token loss on the places a mask hides: `a` and `b` the same tokens on the mask's grid (a
/// class token, if any, is left out), rows matched one to one.
pub(super) fn masked_tokens(b: &Args) -> Result<Out, Diag> {
    if b.get("pairs").is_some() && b.str("pairs") != "matched" {
        return Err(mismatch(
            b,
            "mask",
            b.builtin,
            "no mask with `pairs: \"cross\"` (a mask weighs matched tokens)",
        ));
    }
    let ta = same(b, "a", "b", b.builtin)?;
    let Ty::Mask { grid, .. } = b.tensor("mask")?.0.clone() else {
        return Err(mismatch(b, "mask", b.builtin, "a mask"));
    };
    mask_views(b, "mask", b.builtin, ta.count())?;
    match ta {
        Ty::Tokens { grid: Some(g), .. } if g == grid => scalar(),
        _ => Err(mismatch(
            b,
            "a",
            b.builtin,
            format!("tokens on the mask's {}×{} grid, to weigh by it", grid.0, grid.1),
        )),
    }
}

fn exact(b: &Args) -> Result<Out, Diag> {
    if b.is_given("mask") {
        return masked_tokens(b);
    }
    let ta = b.tensor("a")?.0;
    if !(ta.is_numeric() || matches!(ta, Ty::Slots { .. })) {
        return Err(mismatch(b, "a", b.builtin, "a tensor of numbers"));
    }
    same(b, "a", "b", b.builtin)?;
    scalar()
}

/// As `exact`, but one view on either side repeats over the other's views, as `neg_cosine`'s
/// does: elementwise losses.
fn elementwise_pair(b: &Args) -> Result<Out, Diag> {
    let (ta, tb) = (b.tensor("a")?.0, b.tensor("b")?.0);
    let one_view = (ta.count() == 1 || tb.count() == 1) && ta.with_count(1) == tb.with_count(1);
    if one_view && !b.is_given("mask") && ta.is_numeric() {
        return scalar();
    }
    exact(b)
}

/// As `exact`, on vectors or tokens (rows of features to correlate).
fn exact_features(b: &Args) -> Result<Out, Diag> {
    rows(b, "a")?;
    exact(b)
}

fn labelled(b: &Args) -> Result<Out, Diag> {
    let Ty::Vector { dim, .. } = b.tensor("logits")?.0.clone() else {
        return Err(mismatch(b, "logits", b.builtin, "a vector of logits"));
    };
    match b.tensor("labels")?.0 {
        Ty::Labels { classes } if *classes == dim => scalar(),
        _ => Err(mismatch(
            b,
            "labels",
            b.builtin,
            format!("labels over {dim} classes (the logits' width)"),
        )),
    }
}

fn masked(b: &Args) -> Result<Out, Diag> {
    let (tp, _) = b.tensor("pred")?;
    let (tt, st) = b.tensor("target")?;
    let (
        Ty::Tokens { len: lp, dim: dp, .. },
        Ty::Tokens {
            len: lt, dim: dt, grid, ..
        },
    ) = (tp, tt)
    else {
        return Err(mismatch(b, "pred", b.builtin, "tokens"));
    };
    // Token for token, view for view: the runtime pairs rows one to one.
    if lp != lt || dp != dt || tp.count() != tt.count() {
        return Err(Diag::ShapeMismatch {
            what: b.builtin.into(),
            expected: format!("{tp} (like `pred`)"),
            found: tt.to_string(),
            span: st,
            other: Some((b.span_of("pred"), format!("`pred` is {tp}"))),
            because: vec![],
        });
    }
    // The mask covers grid tokens only: a class token would shift every place by one.
    for (side, t) in [("pred", tp), ("target", tt)] {
        if matches!(t, Ty::Tokens { cls: true, .. }) {
            return Err(mismatch(
                b,
                side,
                b.builtin,
                "patch tokens without the class token (`patches`)",
            ));
        }
    }
    if matches!(b.tensor("mask")?.0, Ty::Mask { .. }) {
        mask_views(b, "mask", b.builtin, tt.count())?;
    }
    match b.tensor("mask")?.0 {
        Ty::Mask { grid: g, .. } if Some(*g) == *grid => scalar(),
        _ => Err(mismatch(b, "mask", b.builtin, "a mask over the target's grid")),
    }
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "neg_cosine",
        category: Category::Loss,
        doc: "Mean of −cos(a, b) over the batch (and over views when `a` or `b` has several) \
              (BYOL, UniVIP).",
        params: declare::NegCosine,
        variadic: None,
        rule: paired,
        call: None,
        example: "loss byol = neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1))",
    },
    Builtin {
        name: "cosine_distance",
        category: Category::Loss,
        doc: "Mean of 2 − 2·cos(a, b) (FLSL's mean-shift term).",
        params: declare::CosineDistance,
        variadic: None,
        rule: paired,
        call: None,
        example: "loss ms weight 0.03 = cosine_distance(q, zhat)",
    },
    Builtin {
        name: "unigrad",
        category: Category::Loss,
        doc: "UniGrad over all tokens: (1/D)[mean‖a − b‖² + λ·mean aᵀFa], F = mean(b bᵀ) \
              (SiameseIM).",
        params: declare::Unigrad,
        variadic: None,
        rule: exact_features,
        call: None,
        example: "loss sim = unigrad(pred, sg(t))",
    },
    Builtin {
        name: "bce",
        category: Category::Loss,
        doc: "Sigmoid binary cross-entropy of logits against multi-hot labels.",
        params: declare::Bce,
        variadic: None,
        rule: labelled,
        call: None,
        example: "loss cls = bce(online.classifier(h), labels)",
    },
    Builtin {
        name: "asl",
        category: Category::Loss,
        doc: "Asymmetric loss for multi-label classification (Ridnik et al.): focusing γ+ / γ− \
              and probability shifting `clip` on negatives.",
        params: declare::Asl,
        variadic: None,
        rule: labelled,
        call: None,
        example: "loss cls = asl(online.classifier(h), labels)",
    },
    Builtin {
        name: "masked_l1",
        category: Category::Loss,
        doc: "Mean absolute error between predicted and target patches, on masked patches only \
              (SimMIM).",
        params: declare::MaskedL1,
        variadic: None,
        rule: masked,
        call: None,
        example: "loss mim = masked_l1(pred, patchify(v1, patch: 4), m)",
    },
    Builtin {
        name: "masked_mse",
        category: Category::Loss,
        doc: "Mean squared error between predicted and target patches, on masked patches only (MAE).",
        params: declare::MaskedMse,
        variadic: None,
        rule: masked,
        call: None,
        example: "loss mae = masked_mse(pred, patchify(v1, patch: 4), m)",
    },
    Builtin {
        name: "mse",
        category: Category::Loss,
        doc: "Mean squared error between two values of the same type (one view on either side \
              repeats over the other's views). With `mask:`, on tokens \
              of the mask's grid, each row's mean over the tokens the mask hides of their mean \
              squared error (a class token left out), 0 where it hides none, then the mean over \
              rows.",
        params: declare::Mse,
        variadic: None,
        rule: elementwise_pair,
        call: None,
        example: "loss l = mse(a, sg(b))",
    },
    Builtin {
        name: "smooth_l1",
        category: Category::Loss,
        doc: "Smooth L1 (Huber / β) between two values of the same type (one view on either \
              side repeats over the other's views), as PyTorch's \
              `smooth_l1_loss`: the mean of ½d²/β where |d| < β and |d| − ½β elsewhere, \
              d = a − b; β = 0 is the L1 loss. With `mask:`, the mean over the tokens the mask \
              hides, row by row, as `mse`'s.",
        params: declare::SmoothL1,
        variadic: None,
        rule: elementwise_pair,
        call: None,
        example: "loss box = smooth_l1(pred, sg(target), beta: 0.5)",
    },
    Builtin {
        name: "barlow_twins",
        category: Category::Loss,
        doc: "Barlow Twins: Σ(1 − C_ii)² + λ Σ_{i≠j} C_ij² for the batch cross-correlation C of \
              the standardised embeddings.",
        params: declare::BarlowTwins,
        variadic: None,
        rule: exact_features,
        call: None,
        example: "loss bt = barlow_twins(z1, z2)",
    },
    Builtin {
        name: "vicreg",
        category: Category::Loss,
        doc: "VICReg: invariance (MSE), variance (hinge on std) and covariance terms.",
        params: declare::Vicreg,
        variadic: None,
        rule: exact_features,
        call: None,
        example: "loss vr = vicreg(z1, z2)",
    },
];
