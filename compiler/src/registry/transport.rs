//! Ops that compare images with each other or with earlier ones: cosine similarities and dot
//! products across the batch, memory banks, nearest neighbours, and optimal transport
//! (Sinkhorn-Knopp, on a matrix or balancing a batch's scores over prototypes).

use super::declare;
use super::rules::mismatch;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

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

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "pairwise_cosine",
        category: Category::Op,
        doc: "Cosine similarity of every vector of `a` with every vector of `b` of the same \
              image (their views or instances). Against the whole batch or a memory bank, \
              `batch_dot` of unit vectors.",
        params: declare::PairwiseCosine,
        variadic: None,
        rule: pairwise,
        call: None,
        example: "let sim = pairwise_cosine(o, t)",
    },
    Builtin {
        name: "dot",
        category: Category::Op,
        doc: "Dot product of each vector of `a` with `b` (one vector, or one per vector of `a`).",
        params: declare::Dot,
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
              as random unit vectors, as MoCo's does, drawn from the run's seed (the same on \
              every backend and rank), and checkpoints keep it. Bound by `let`, \
              one memory serves every use of the name. Without gradient.",
        params: declare::Queue,
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
        params: declare::Nearest,
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
        params: declare::BatchSinkhorn,
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
        params: declare::Sinkhorn,
        variadic: None,
        rule: sinkhorn,
        call: None,
        example: "let plan = sinkhorn(1 - sim, supply, demand, eps: 0.1)",
    },
];
