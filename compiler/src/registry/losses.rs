//! Loss built-ins: each returns a scalar per batch, ready to be a loss term.

use super::rules::{features, mask_views, mismatch, same};
use super::{Args, Builtin, Category, Limit, Out, PTy, opt, req};
use crate::diag::Diag;
use crate::types::Ty;

/// The feature width of `arg`, which must be vectors or tokens: rows the loss reads one by
/// one. Slots (segment-pooled features, padded per image) are for `detcon`.
fn rows(b: &Args, arg: &str) -> Result<u64, Diag> {
    if matches!(b.tensor(arg)?.0, Ty::Slots { .. }) {
        return Err(mismatch(b, arg, b.builtin, "vectors or tokens (slots are `detcon`'s)"));
    }
    features(b, arg, b.builtin)
}

fn scalar() -> Result<Out, Diag> {
    Ok(Out::Tensor(Ty::Scalar { n: 1 }))
}

/// Each of `sides` must be one vector per image; `expected` says what to give instead.
fn vectors(b: &Args, sides: [&str; 2], expected: &str) -> Result<(), Diag> {
    for side in sides {
        if !matches!(b.tensor(side)?.0, Ty::Vector { .. }) {
            return Err(mismatch(b, side, b.builtin, expected));
        }
    }
    Ok(())
}

/// Two inputs of the same width; multiplicities must match or one must be 1.
fn paired(b: &Args) -> Result<Out, Diag> {
    paired_as(b, "a", "b")
}

/// As `paired`, for inputs named `first` and `second`.
fn paired_as(b: &Args, first: &str, second: &str) -> Result<Out, Diag> {
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

/// As `paired`, on vectors, with as many views on both sides: the rows are paired one to one
/// (the positives of a contrastive loss sit on the diagonal of `a`·`b`ᵀ).
fn one_to_one(b: &Args) -> Result<Out, Diag> {
    vectors(b, ["a", "b"], "a vector per image (pool tokens first, e.g. `cls`)")?;
    paired(b)?;
    let (ta, _) = b.tensor("a")?;
    let (tb, sb) = b.tensor("b")?;
    if ta.count() != tb.count() {
        return Err(Diag::ShapeMismatch {
            what: b.builtin.into(),
            expected: format!("{ta} (as many views as `a`: {} pairs rows one to one)", b.builtin),
            found: tb.to_string(),
            span: sb,
            other: Some((b.span_of("a"), format!("`a` is {ta}"))),
            because: vec![],
        });
    }
    scalar()
}

/// As `one_to_one`, against a memory bank of negatives of the same width.
fn with_negatives(b: &Args) -> Result<Out, Diag> {
    one_to_one(b)?;
    let dim = b.tensor("a")?.0.feature_dim();
    match b.tensor("negatives")?.0 {
        Ty::Bank { dim: d, .. } if Some(*d) == dim => scalar(),
        _ => Err(mismatch(
            b,
            "negatives",
            b.builtin,
            format!("a memory bank of vectors of width {} (`queue`)", dim.unwrap_or(0)),
        )),
    }
}

fn soft_ce(b: &Args) -> Result<Out, Diag> {
    if b.is_given("mask") {
        return masked_tokens(b);
    }
    if b.str("pairs") != "cross" {
        return paired(b);
    }
    vectors(b, ["a", "b"], "a vector per view (pool tokens first, e.g. `cls`)")?;
    let (ta, tb) = (b.tensor("a")?.0, b.tensor("b")?.0);
    let (na, nb) = (ta.count(), tb.count());
    let width = ta.feature_dim().unwrap_or(0);
    let expected = if ta.feature_dim() != tb.feature_dim() {
        format!("vectors of width {width}, as `a`'s")
    } else if na < 2 {
        return Err(mismatch(
            b,
            "a",
            "soft_ce(pairs: \"cross\")",
            "two or more views: with cross pairs each teacher view meets every other student view",
        ));
    } else if nb > na {
        format!(
            "at most {na} views (with cross pairs the teacher's views, `b`, are the student's first views, and `a` has {na}; each teacher view meets every other student view)"
        )
    } else {
        return scalar();
    };
    Err(Diag::ShapeMismatch {
        what: "soft_ce".into(),
        expected,
        found: tb.to_string(),
        span: b.span_of("b"),
        other: Some((b.span_of("a"), format!("`a` is {ta}"))),
        because: vec![],
    })
}

/// A token loss on the places a mask hides: `a` and `b` the same tokens on the mask's grid (a
/// class token, if any, is left out), rows matched one to one.
fn masked_tokens(b: &Args) -> Result<Out, Diag> {
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

/// `logits` against `target`: vectors of one width, counts equal or one of them 1.
fn targets(b: &Args) -> Result<Out, Diag> {
    paired_as(b, "logits", "target")
}

fn nt_xent(b: &Args) -> Result<Out, Diag> {
    match b.tensor("x")?.0 {
        Ty::Vector { n: 2, .. } => scalar(),
        _ => Err(mismatch(
            b,
            "x",
            "nt_xent",
            "a vector per view of two views per image (`view v[2]`)",
        )),
    }
}

fn logits(b: &Args) -> Result<Out, Diag> {
    rows(b, "x")?;
    scalar()
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

fn slots(b: &Args) -> Result<Out, Diag> {
    let first = b.tensor("pred_a")?.0.clone();
    if !matches!(first, Ty::Slots { .. }) {
        return Err(mismatch(b, "pred_a", "detcon", "segment slots"));
    }
    for arg in ["pred_b", "proj_a", "proj_b"] {
        if b.tensor(arg)?.0 != &first {
            return Err(mismatch(b, arg, "detcon", first.to_string()));
        }
    }
    scalar()
}

const A: super::Param = req("a", PTy::Tensor, "prediction");
/// A token loss's mask: the loss on the tokens it hides, whatever their count in each image.
const TOKEN_MASK: super::Param = opt(
    "mask",
    PTy::Tensor,
    "none",
    "a mask over the tokens' grid: the loss on the tokens it hides",
);
const B: super::Param = req("b", PTy::Tensor, "target");
const fn temp(d: &'static str) -> super::Param {
    opt("temperature", PTy::Sched, d, "softmax temperature").within(Limit::Positive)
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "neg_cosine",
        category: Category::Loss,
        doc: "Mean of −cos(a, b) over the batch (and over views when `a` or `b` has several) \
              (BYOL, UniVIP).",
        params: &[A, B],
        variadic: None,
        rule: paired,
        call: None,
        example: "loss byol = neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1))",
    },
    Builtin {
        name: "cosine_distance",
        category: Category::Loss,
        doc: "Mean of 2 − 2·cos(a, b) (FLSL's mean-shift term).",
        params: &[A, B],
        variadic: None,
        rule: paired,
        call: None,
        example: "loss ms weight 0.03 = cosine_distance(q, zhat)",
    },
    Builtin {
        name: "info_nce",
        category: Category::Loss,
        doc: "InfoNCE on cosine logits / temperature: each `a` against all `b` of the batch, \
              positives on the diagonal (SimCLR, MoCo v3).",
        params: &[A, B, temp("0.2")],
        variadic: None,
        rule: one_to_one,
        call: None,
        example: "loss nce = info_nce(q1, sg(k2), temperature: 0.2)",
    },
    Builtin {
        name: "queue_nce",
        category: Category::Loss,
        doc: "InfoNCE against a memory of negatives (MoCo v1/v2): each `a` against its own `b` \
              (the positive) and every vector of `negatives`, cosine logits / temperature, \
              no negatives from the batch.",
        params: &[
            A,
            B,
            req("negatives", PTy::Tensor, "the memory of negatives (`queue`)"),
            temp("0.2"),
        ],
        variadic: None,
        rule: with_negatives,
        call: None,
        example: "loss moco = queue_nce(q, sg(k), negatives: bank, temperature: 0.2)",
    },
    Builtin {
        name: "cross_entropy",
        category: Category::Loss,
        doc: "Cross-entropy of given target distributions (SwAV's codes), detached: mean over \
              rows of −Σₖ targetₖ · log softmax(logits/temperature)ₖ. On tokens, each token \
              against its own target, as many on both sides (DINOv2's patch loss, CAPI). A \
              one-view side is repeated over the other's views (each local crop against its \
              image's code).",
        params: &[
            req("logits", PTy::Tensor, "predicted scores"),
            req("target", PTy::Tensor, "target distributions (rows summing to 1)").detached(),
            opt("temperature", PTy::Sched, "0.1", "temperature of the prediction").within(Limit::Positive),
        ],
        variadic: None,
        rule: targets,
        call: None,
        example: "loss swap = cross_entropy(p1, q2) + cross_entropy(p2, q1)",
    },
    Builtin {
        name: "nt_xent",
        category: Category::Loss,
        doc: "NT-Xent (SimCLR) over the 2B views of a two-view value: each view's cosine logits / \
              temperature against the other 2B − 1, its positive the same image's other view, \
              so the negatives come from both views.",
        params: &[req("x", PTy::Tensor, "two views per image"), temp("0.5")],
        variadic: None,
        rule: nt_xent,
        call: None,
        example: "loss simclr = nt_xent(z, temperature: 0.5)",
    },
    Builtin {
        name: "soft_ce",
        category: Category::Loss,
        doc: "Cross-entropy H(softmax((b − center)/teacher_temp), softmax(a/student_temp)) with \
              the teacher side detached; `center` > 0 keeps an EMA center of `b` with that \
              momentum (DINO, iBOT, FLSL; `center(...)` is the same, declared once for several \
              losses). With `pairs: \"cross\"`, `b`'s n views are the first n of `a`'s and the \
              loss is the mean over every pair of a view of `b` with a different view of `a` \
              (DINO's multi-crop: 1/pairs each). With `mask:`, on tokens of the mask's grid, each \
              row's loss is the mean over the tokens the mask hides (a class token left out), 0 \
              where it hides none, and the loss the mean over rows (iBOT's patch loss).",
        params: &[
            req("a", PTy::Tensor, "student logits"),
            req("b", PTy::Tensor, "teacher logits").detached(),
            opt("student_temp", PTy::Sched, "0.1", "student temperature").within(Limit::Positive),
            opt("teacher_temp", PTy::Sched, "0.04", "teacher temperature").within(Limit::Positive),
            opt("center", PTy::Num, "0.0", "center momentum; 0 turns centering off").within(Limit::Prob),
            opt(
                "pairs",
                PTy::Choice(&["matched", "cross"]),
                "\"matched\"",
                "rows that meet: the same view on both sides, or every view of `b` with every other view of `a`",
            ),
            TOKEN_MASK,
        ],
        variadic: None,
        rule: soft_ce,
        call: None,
        example: "loss dino = soft_ce(s, sg(t), teacher_temp: linear(0.04, 0.07, epochs: 3))",
    },
    Builtin {
        name: "mean_entropy",
        category: Category::Loss,
        doc: "Σ_k p̄_k log p̄_k + log K, with p̄ the mean of softmax(x/temperature) over all \
              queries of the batch: KL of the mean prediction to uniform (FLSL).",
        params: &[req("x", PTy::Tensor, "logits"), temp("0.1")],
        variadic: None,
        rule: logits,
        call: None,
        example: "loss spread weight 5 = mean_entropy(s, temperature: 0.1)",
    },
    Builtin {
        name: "unigrad",
        category: Category::Loss,
        doc: "UniGrad over all tokens: (1/D)[mean‖a − b‖² + λ·mean aᵀFa], F = mean(b bᵀ) \
              (SiameseIM).",
        params: &[
            A,
            B,
            opt("lambda", PTy::Sched, "0.02", "weight of the spreading term").within(Limit::NonNeg),
        ],
        variadic: None,
        rule: exact_features,
        call: None,
        example: "loss sim = unigrad(pred, sg(t))",
    },
    Builtin {
        name: "detcon",
        category: Category::Loss,
        doc: "DetCon-B multi-positive InfoNCE over segment slots: each online prediction against \
              all target projections of both views in the batch, positives share image and \
              segment id, weighted by 1/#positives; symmetric (CYBORGS).",
        params: &[
            req("pred_a", PTy::Tensor, "online predictions, view a"),
            req("pred_b", PTy::Tensor, "online predictions, view b"),
            req("proj_a", PTy::Tensor, "target projections, view a"),
            req("proj_b", PTy::Tensor, "target projections, view b"),
            temp("0.1"),
        ],
        variadic: None,
        rule: slots,
        call: None,
        example: "loss seg = detcon(pa, pb, sg(ta), sg(tb), temperature: 0.1)",
    },
    Builtin {
        name: "bce",
        category: Category::Loss,
        doc: "Sigmoid binary cross-entropy of logits against multi-hot labels.",
        params: &[
            req("logits", PTy::Tensor, "class logits"),
            req("labels", PTy::Tensor, "multi-hot labels"),
        ],
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
        params: &[
            req("logits", PTy::Tensor, "class logits"),
            req("labels", PTy::Tensor, "multi-hot labels"),
            opt("gamma_pos", PTy::Num, "0", "focusing on positives").within(Limit::NonNeg),
            opt("gamma_neg", PTy::Num, "4", "focusing on negatives").within(Limit::NonNeg),
            opt("clip", PTy::Num, "0.05", "probability margin on negatives").within(Limit::Prob),
        ],
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
        params: &[
            req("pred", PTy::Tensor, "predicted patches"),
            req("target", PTy::Tensor, "target patches"),
            req("mask", PTy::Tensor, "the mask; loss on masked tokens"),
        ],
        variadic: None,
        rule: masked,
        call: None,
        example: "loss mim = masked_l1(pred, patchify(v1, patch: 4), m)",
    },
    Builtin {
        name: "masked_mse",
        category: Category::Loss,
        doc: "Mean squared error between predicted and target patches, on masked patches only (MAE).",
        params: &[
            req("pred", PTy::Tensor, "predicted patches"),
            req("target", PTy::Tensor, "target patches"),
            req("mask", PTy::Tensor, "the mask; loss on masked tokens"),
        ],
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
        params: &[A, B, TOKEN_MASK],
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
        params: &[
            A,
            B,
            opt(
                "beta",
                PTy::Sched,
                "1.0",
                "where the loss turns from quadratic to linear",
            )
            .within(Limit::NonNeg),
            TOKEN_MASK,
        ],
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
        params: &[
            A,
            B,
            opt("lambda", PTy::Sched, "0.005", "off-diagonal weight").within(Limit::NonNeg),
        ],
        variadic: None,
        rule: exact_features,
        call: None,
        example: "loss bt = barlow_twins(z1, z2)",
    },
    Builtin {
        name: "vicreg",
        category: Category::Loss,
        doc: "VICReg: invariance (MSE), variance (hinge on std) and covariance terms.",
        params: &[
            A,
            B,
            opt("sim", PTy::Sched, "25", "invariance weight").within(Limit::NonNeg),
            opt("var", PTy::Sched, "25", "variance weight").within(Limit::NonNeg),
            opt("cov", PTy::Sched, "1", "covariance weight").within(Limit::NonNeg),
        ],
        variadic: None,
        rule: exact_features,
        call: None,
        example: "loss vr = vicreg(z1, z2)",
    },
];
