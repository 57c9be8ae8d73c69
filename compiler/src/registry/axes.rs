//! The algebra's types across axes: what reducing a value over a named axis leaves, and the
//! type two values have elementwise, spread over each other as numpy spreads.

use crate::types::Ty;

/// The axes a reduction or a softmax runs over.
pub const AXES: &[&str] = &["image", "batch", "views", "tokens", "features", "rows", "cols"];

/// What reducing `ty` over `over` leaves, or what `over` needs that `ty` is not.
pub fn reduced(ty: &Ty, over: &str) -> Result<Ty, String> {
    let (batch, inner) = ty.scope();
    let out = match (over, inner) {
        ("image", _) => Ty::Scalar { n: 1 },
        ("batch", _) if batch => return Err("a value per image (this one is already one for the batch)".into()),
        ("batch", Ty::Across { .. }) => {
            return Err(
                "a value per image whose width does not grow with the batch (reduce the \
                        columns of dot products across the batch first)"
                    .into(),
            );
        }
        ("batch", t) => return Ok(Ty::Batch(Box::new(t.clone()))),
        (
            "views",
            t @ (Ty::Image { .. }
            | Ty::Tokens { .. }
            | Ty::Vector { .. }
            | Ty::Scalar { .. }
            | Ty::Matrix { .. }
            | Ty::Across { .. }),
        ) => t.with_count(1),
        ("tokens", Ty::Tokens { dim, n, .. }) => Ty::Vector { dim: *dim, n: *n },
        ("features", Ty::Vector { n, .. }) => Ty::Scalar { n: *n },
        ("features", Ty::Labels { .. }) => Ty::Scalar { n: 1 },
        ("features", Ty::Tokens { len, grid, cls, n, .. }) => Ty::Tokens {
            len: *len,
            dim: 1,
            grid: *grid,
            cls: *cls,
            n: *n,
        },
        ("rows", Ty::Matrix { cols, n, .. }) => Ty::Vector { dim: *cols, n: *n },
        ("cols", Ty::Matrix { rows, n, .. }) => Ty::Vector { dim: *rows, n: *n },
        ("cols", Ty::Across { n, .. }) => Ty::Scalar { n: *n },
        (axis, _) => return Err(needs(axis).into()),
    };
    Ok(Ty::scoped(batch, out))
}

/// What a value must be to have axis `axis`.
fn needs(axis: &str) -> &'static str {
    match axis {
        "views" => "a value with views (images, tokens, vectors, scalars, matrices)",
        "tokens" => "tokens",
        "features" => {
            "vectors, tokens or labels (for matrices say `rows` or `cols`, for dot products across the batch `cols`)"
        }
        "rows" => "a matrix",
        "cols" => "a matrix, or dot products across the batch",
        _ => "a tensor of numbers",
    }
}

/// The type `a op b` has elementwise, with numpy's spreading: a value for the batch over one
/// per image, one view over several, a scalar over anything of its image, a vector over the
/// rows of a matrix or the tokens of its width, and tokens of width 1 over tokens of any
/// width. `None` where they do not meet.
pub fn broadcast(a: &Ty, b: &Ty) -> Option<Ty> {
    let ((ba, ia), (bb, ib)) = (a.scope(), b.scope());
    let inner = meet(ia, ib).or_else(|| meet(ib, ia))?;
    Some(Ty::scoped(ba && bb, inner))
}

/// [`broadcast`] of two per-image types, `b` spread over `a`.
fn meet(a: &Ty, b: &Ty) -> Option<Ty> {
    let n = views_meet(a.count(), b.count())?;
    if a.with_count(1) == b.with_count(1) {
        return Some(a.with_count(n));
    }
    match (a, b) {
        (t, Ty::Scalar { .. }) if t.is_numeric() => Some(t.with_count(n)),
        (Ty::Matrix { cols, .. }, Ty::Vector { dim, .. }) if cols == dim => Some(a.with_count(n)),
        (Ty::Tokens { dim, .. }, Ty::Vector { dim: d, .. }) if dim == d => Some(a.with_count(n)),
        (Ty::Tokens { len, .. }, Ty::Tokens { len: l, dim: 1, .. }) if len == l => Some(a.with_count(n)),
        _ => None,
    }
}

/// `n` of two operands that meet: equal, or one of them 1.
pub(super) fn views_meet(na: u64, nb: u64) -> Option<u64> {
    (na == nb || na == 1 || nb == 1).then_some(na.max(nb))
}
