//! Losses that contrast an image with others or match distributions: InfoNCE against the batch
//! or a memory, NT-Xent, cross-entropy against given codes, DINO's soft cross-entropy, the mean
//! entropy, and DetCon's slot contrast.

use super::declare;
use super::losses::{masked_tokens, paired, paired_as, rows, scalar, vectors};
use super::rules::mismatch;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

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

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "info_nce",
        category: Category::Loss,
        doc: "InfoNCE on cosine logits / temperature: each `a` against all `b` of the batch, \
              positives on the diagonal (SimCLR, MoCo v3).",
        params: declare::InfoNce,
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
        params: declare::QueueNce,
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
        params: declare::CrossEntropy,
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
        params: declare::NtXent,
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
        params: declare::SoftCe,
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
        params: declare::MeanEntropy,
        variadic: None,
        rule: logits,
        call: None,
        example: "loss spread weight 5 = mean_entropy(s, temperature: 0.1)",
    },
    Builtin {
        name: "detcon",
        category: Category::Loss,
        doc: "DetCon-B multi-positive InfoNCE over segment slots: each online prediction against \
              all target projections of both views in the batch, positives share image and \
              segment id, weighted by 1/#positives; symmetric (CYBORGS).",
        params: declare::Detcon,
        variadic: None,
        rule: slots,
        call: None,
        example: "loss seg = detcon(pa, pb, sg(ta), sg(tb), temperature: 0.1)",
    },
];
