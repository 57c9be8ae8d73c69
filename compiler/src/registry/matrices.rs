//! The algebra's matrices: products, transposes and outer products per image, moments and dot
//! products across the batch (with an image's own entries masked out), diagonals, a value's
//! views as a matrix's rows, and functions of symmetric matrices (eigenvalues, square roots,
//! Cholesky factors, inverses) with gradients of their own in the runtime.

use super::algebra::numbers;
use super::axes::views_meet;
use super::declare;
use super::rules::mismatch;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

/// Two operands: their types, the scope of the result (for the batch only when both are),
/// and `n` where they meet.
fn pair(b: &Args) -> Result<(bool, &Ty, &Ty), Diag> {
    let (ta, tb) = (numbers(b, "a")?, numbers(b, "b")?);
    let ((ba, ia), (bb, ib)) = (ta.scope(), tb.scope());
    if views_meet(ia.count(), ib.count()).is_none() {
        return Err(mismatch(
            b,
            "b",
            b.builtin,
            format!("one view or {} (as `a` has)", ia.count()),
        ));
    }
    Ok((ba && bb, ia, ib))
}

fn matmul(b: &Args) -> Result<Out, Diag> {
    let (batch, a, x) = pair(b)?;
    let n = a.count().max(x.count());
    let out = match (a, x) {
        (Ty::Vector { dim, .. }, Ty::Matrix { rows, cols, .. }) if dim == rows => Ty::Vector { dim: *cols, n },
        (
            Ty::Tokens {
                len, dim, grid, cls, ..
            },
            Ty::Matrix { rows, cols, .. },
        ) if dim == rows => Ty::Tokens {
            len: *len,
            dim: *cols,
            grid: *grid,
            cls: *cls,
            n,
        },
        (Ty::Matrix { rows, cols, .. }, Ty::Matrix { rows: r, cols: c, .. }) if cols == r => Ty::Matrix {
            rows: *rows,
            cols: *c,
            n,
        },
        (Ty::Matrix { rows, cols, .. }, Ty::Vector { dim, .. }) if cols == dim => Ty::Vector { dim: *rows, n },
        (Ty::Vector { dim, .. } | Ty::Tokens { dim, .. }, _) => {
            return Err(mismatch(
                b,
                "b",
                "matmul",
                format!("a matrix with {dim} rows (the width of `a`)"),
            ));
        }
        (Ty::Matrix { cols, .. }, _) => {
            return Err(mismatch(
                b,
                "b",
                "matmul",
                format!("a matrix with {cols} rows, or a vector of width {cols} (the columns of `a`)"),
            ));
        }
        _ => return Err(mismatch(b, "a", "matmul", "vectors, tokens or a matrix")),
    };
    Ok(Out::Tensor(Ty::scoped(batch, out)))
}

fn transpose(b: &Args) -> Result<Out, Diag> {
    let ty = numbers(b, "x")?;
    let (batch, inner) = ty.scope();
    match inner {
        Ty::Matrix { rows, cols, n } => Ok(Out::Tensor(Ty::scoped(
            batch,
            Ty::Matrix {
                rows: *cols,
                cols: *rows,
                n: *n,
            },
        ))),
        _ => Err(mismatch(b, "x", "transpose", "a matrix")),
    }
}

fn outer(b: &Args) -> Result<Out, Diag> {
    let (batch, a, x) = pair(b)?;
    match (a, x) {
        (Ty::Vector { dim: p, .. }, Ty::Vector { dim: q, .. }) => Ok(Out::Tensor(Ty::scoped(
            batch,
            Ty::Matrix {
                rows: *p,
                cols: *q,
                n: a.count().max(x.count()),
            },
        ))),
        (Ty::Vector { .. }, _) => Err(mismatch(b, "b", "outer", "a vector")),
        _ => Err(mismatch(b, "a", "outer", "a vector")),
    }
}

/// A per-image operand of an op across the batch.
fn per_image<'a>(b: &'a Args, arg: &str) -> Result<&'a Ty, Diag> {
    let ty = numbers(b, arg)?;
    if matches!(ty, Ty::Batch(_)) {
        return Err(mismatch(
            b,
            arg,
            b.builtin,
            "a value per image (this one is one for the batch)",
        ));
    }
    Ok(ty)
}

fn moment(b: &Args) -> Result<Out, Diag> {
    let (a, x) = (per_image(b, "a")?, per_image(b, "b")?);
    let n = a.count();
    let out = |p: u64, q: u64| Ok(Out::Tensor(Ty::Batch(Box::new(Ty::Matrix { rows: p, cols: q, n }))));
    match (a, x) {
        (Ty::Vector { dim: p, .. }, Ty::Vector { dim: q, n: nb }) if *nb == n => out(*p, *q),
        (
            Ty::Tokens { len, dim: p, .. },
            Ty::Tokens {
                len: l, dim: q, n: nb, ..
            },
        ) if l == len && *nb == n => out(*p, *q),
        (Ty::Vector { .. }, _) => Err(mismatch(b, "b", "moment", format!("{n}× vectors (as `a` has)"))),
        (Ty::Tokens { len, .. }, _) => Err(mismatch(
            b,
            "b",
            "moment",
            format!("{n}× tokens of length {len} (as `a` has)"),
        )),
        _ => Err(mismatch(b, "a", "moment", "vectors or tokens")),
    }
}

fn batch_dot(b: &Args) -> Result<Out, Diag> {
    let a = per_image(b, "a")?;
    let Ty::Vector { dim, n } = a else {
        return Err(mismatch(b, "a", "batch_dot", "vectors (pool tokens first, e.g. `cls`)"));
    };
    let (x, _) = b.tensor("b")?;
    match x {
        Ty::Vector { dim: d, n: views } if d == dim => Ok(Out::Tensor(Ty::Across { n: *n, views: *views })),
        Ty::Bank { size, dim: d } if d == dim => Ok(Out::Tensor(Ty::Vector { dim: *size, n: *n })),
        _ => Err(mismatch(
            b,
            "b",
            "batch_dot",
            format!("vectors of width {dim} per image, or a memory bank of them (`queue`)"),
        )),
    }
}

fn mask_self(b: &Args) -> Result<Out, Diag> {
    let ty = numbers(b, "x")?;
    let Ty::Across { n, views } = ty else {
        return Err(mismatch(
            b,
            "x",
            "mask_self",
            "dot products across the batch (`batch_dot`)",
        ));
    };
    if b.str("same") == "row" && n != views {
        return Err(mismatch(
            b,
            "x",
            "mask_self(same: \"row\")",
            format!(
                "rows and columns of one layout ({n} rows an image against {views} columns an image): `same: \"image\"` masks the whole image"
            ),
        ));
    }
    Ok(Out::Tensor(ty.clone()))
}

/// A square matrix: `(batch, side, n)`.
fn square(b: &Args) -> Result<(bool, u64, u64), Diag> {
    let (batch, inner) = numbers(b, "x")?.scope();
    match inner {
        Ty::Matrix { rows, cols, n } if rows == cols => Ok((batch, *rows, *n)),
        _ => Err(mismatch(b, "x", b.builtin, "a square matrix")),
    }
}

fn diag(b: &Args) -> Result<Out, Diag> {
    let (batch, d, n) = square(b)?;
    Ok(Out::Tensor(Ty::scoped(batch, Ty::Vector { dim: d, n })))
}

fn same_square(b: &Args) -> Result<Out, Diag> {
    square(b)?;
    Ok(Out::Tensor(numbers(b, "x")?.clone()))
}

fn as_matrix(b: &Args) -> Result<Out, Diag> {
    let (batch, inner) = numbers(b, "x")?.scope();
    match inner {
        Ty::Vector { dim, n } => Ok(Out::Tensor(Ty::scoped(
            batch,
            Ty::Matrix {
                rows: *n,
                cols: *dim,
                n: 1,
            },
        ))),
        _ => Err(mismatch(b, "x", "as_matrix", "vectors")),
    }
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "matmul",
        category: Category::Math,
        doc: "The matrix product `a b`: a vector (as a row) or tokens times a matrix, a matrix \
              times a matrix, or a matrix times a vector (as a column). A matrix for the batch \
              applies to every image's value (`matmul(z, normal(rows: 64, cols: 256))` projects \
              every z on the same directions).",
        params: declare::Matmul,
        variadic: None,
        rule: matmul,
        call: None,
        example: "let x = matmul(z, directions)",
    },
    Builtin {
        name: "transpose",
        category: Category::Math,
        doc: "A matrix with its rows and columns exchanged.",
        params: declare::Transpose,
        variadic: None,
        rule: transpose,
        call: None,
        example: "let white = matmul(z, transpose(inverse(cholesky(cov))))",
    },
    Builtin {
        name: "outer",
        category: Category::Math,
        doc: "The outer product `a bᵀ` of two vectors: a matrix with a row per number of `a`.",
        params: declare::Outer,
        variadic: None,
        rule: outer,
        call: None,
        example: "let xt = outer(x, linspace(0, 3, 17))",
    },
    Builtin {
        name: "moment",
        category: Category::Math,
        doc: "The second moment across the batch, (1/N) Σᵢ aᵢ bᵢᵀ = AᵀB / N over the N images \
              (and, for tokens, over every token of every image): a matrix for the batch, one \
              per view. With `a` and `b` centred it is their covariance; the same value twice \
              gives a Gram matrix of the features.",
        params: declare::Moment,
        variadic: None,
        rule: moment,
        call: None,
        example: "let cov = moment(z - mean(z, over: \"batch\"), z - mean(z, over: \"batch\"))",
    },
    Builtin {
        name: "batch_dot",
        category: Category::Math,
        doc: "For each vector of `a`, its dot product with every vector of `b` across the whole \
              batch (every image's, every view's, image-major: a row of A Bᵀ), or with every \
              vector of a memory bank (`queue`, then a vector as wide as the bank). With unit \
              vectors these are cosine similarities: the logits of a contrastive loss against \
              the batch. `mask_self` takes out a row's own image.",
        params: declare::BatchDot,
        variadic: None,
        rule: batch_dot,
        call: None,
        example: "let s = batch_dot(z1, z) / 0.1",
    },
    Builtin {
        name: "mask_self",
        category: Category::Math,
        doc: "Dot products across the batch with the entries of a row's own image set to \
              `value`: every view of it (`same: \"image\"`), or only the row itself (`same: \
              \"row\"`, when rows and columns are the same layout). With a large negative value \
              a `logsumexp` or `max` over the columns leaves them out (DCL's denominator, \
              SimCLR's, a nearest neighbour in the batch).",
        params: declare::MaskSelf,
        variadic: None,
        rule: mask_self,
        call: None,
        example: "let negatives = mask_self(batch_dot(z1, z) / 0.1)",
    },
    Builtin {
        name: "diag",
        category: Category::Math,
        doc: "The diagonal of a square matrix, as a vector.",
        params: declare::Diag,
        variadic: None,
        rule: diag,
        call: None,
        example: "let on = diag(c)",
    },
    Builtin {
        name: "as_matrix",
        category: Category::Math,
        doc: "The views of a value of vectors as the rows of one matrix per image (V × K: \
              MMCR's per-image matrix of its views).",
        params: declare::AsMatrix,
        variadic: None,
        rule: as_matrix,
        call: None,
        example: "let zi = as_matrix(z)",
    },
    Builtin {
        name: "eigvalsh",
        category: Category::Math,
        doc: "The eigenvalues of a symmetric matrix, ascending, as a vector; the gradient of \
              each is uᵢuᵢᵀ (its eigenvector's outer product), so it is defined where they are \
              distinct. The sum of their square roots for AᵀA is A's nuclear norm; the sum of \
              their logarithms a log-determinant.",
        params: declare::Eigvalsh,
        variadic: None,
        rule: diag,
        call: None,
        example: "let nuclear = sum(sqrt(eigvalsh(moment(c, c) * n) + 1e-8), over: \"features\")",
    },
    Builtin {
        name: "sqrtm",
        category: Category::Math,
        doc: "The square root of a symmetric positive semi-definite matrix, U √Λ Uᵀ, with its \
              gradient by the eigenvectors (Daleckii–Krein).",
        params: declare::Sqrtm,
        variadic: None,
        rule: same_square,
        call: None,
        example: "let root = sqrtm(cov + 1e-4 * eye(64))",
    },
    Builtin {
        name: "inv_sqrtm",
        category: Category::Math,
        doc: "The inverse square root of a symmetric positive definite matrix, U Λ^(−1/2) Uᵀ \
              (ZCA whitening: `matmul(z, inv_sqrtm(cov))`), with its gradient by the \
              eigenvectors.",
        params: declare::InvSqrtm,
        variadic: None,
        rule: same_square,
        call: None,
        example: "let white = matmul(zc, inv_sqrtm(cov + 1e-4 * eye(64)))",
    },
    Builtin {
        name: "cholesky",
        category: Category::Math,
        doc: "The lower-triangular L with L Lᵀ = x for a symmetric positive definite x, with \
              its gradient (only the lower triangle of x is read).",
        params: declare::Cholesky,
        variadic: None,
        rule: same_square,
        call: None,
        example: "let l = cholesky(cov + 1e-4 * eye(64))",
    },
    Builtin {
        name: "inverse",
        category: Category::Math,
        doc: "The inverse of a square matrix, with its gradient −x⁻ᵀ g x⁻ᵀ.",
        params: declare::Inverse,
        variadic: None,
        rule: same_square,
        call: None,
        example: "let w = transpose(inverse(cholesky(cov)))",
    },
];
