//! The types of values in a recipe: compile-time constants and the shapes of run-time tensors.
//!
//! Every run-time value is batched: the batch axis is implicit. `n` counts views, instances or
//! slots per image (2 for `view local[2]`, K for K box crops); most operations keep it.

mod display;

use serde::Serialize;

/// The type of a run-time tensor value, per image of the batch.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Ty {
    /// Images: channels × height × width.
    Image { c: u64, h: u64, w: u64, n: u64 },
    /// A sequence of `len` tokens of width `dim`; `grid` is set when they tile the image,
    /// `cls` when a class token leads the sequence.
    Tokens {
        len: u64,
        dim: u64,
        grid: Option<(u64, u64)>,
        cls: bool,
        n: u64,
    },
    /// One feature vector.
    Vector { dim: u64, n: u64 },
    /// A matrix per image (or per instance when `n > 1`): costs, transport plans, similarities.
    Matrix { rows: u64, cols: u64, n: u64 },
    /// A scalar per image (or per instance when `n > 1`).
    Scalar { n: u64 },
    /// A boolean mask over a token grid; `keep` tokens are visible (or selected), the same
    /// number in every image, or `None` where each image draws its own count. `n` masks per
    /// image: one serves every view of a value, `mask m[2]` draws one per view.
    Mask {
        grid: (u64, u64),
        keep: Option<u64>,
        n: u64,
    },
    /// K boxes per image.
    Boxes { k: u64 },
    /// An integer segment map per image.
    Segments { h: u64, w: u64 },
    /// Segment-pooled features: `slots` vectors of width `dim`, each tagged with a segment id.
    Slots { slots: u64, dim: u64 },
    /// Multi-hot labels over `classes`.
    Labels { classes: u64 },
    /// The geometry of one crop relative to another (offsets, scales, flip).
    Geometry,
    /// A memory of `size` past vectors of width `dim`, shared by the whole batch rather than
    /// one per image (`queue`).
    Bank { size: u64, dim: u64 },
    /// One value for the whole batch rather than one per image, typed as one image's value
    /// would be: a statistic over the batch (`mean(x, over: "batch")`), a matrix across it
    /// (`moment`), a constant or a draw of the step (`linspace`, `normal`), or state (`ema`).
    Batch(Box<Ty>),
    /// For each row of a value (`n` per image), one number for every row of another value
    /// across the whole batch (`views` rows per image, image-major): a row of the matrix of
    /// their dot products (`batch_dot`), its columns the batch's images and views.
    Across { n: u64, views: u64 },
}

impl Ty {
    /// The multiplicity `n` (views, instances) of a value, 1 where it has none.
    pub fn count(&self) -> u64 {
        match self {
            Ty::Image { n, .. }
            | Ty::Tokens { n, .. }
            | Ty::Vector { n, .. }
            | Ty::Scalar { n }
            | Ty::Matrix { n, .. }
            | Ty::Mask { n, .. }
            | Ty::Across { n, .. } => *n,
            Ty::Batch(inner) => inner.count(),
            _ => 1,
        }
    }

    /// The same type with multiplicity `n`, where it has one.
    pub fn with_count(&self, count: u64) -> Ty {
        let mut t = self.clone();
        match &mut t {
            Ty::Image { n, .. }
            | Ty::Tokens { n, .. }
            | Ty::Vector { n, .. }
            | Ty::Scalar { n }
            | Ty::Matrix { n, .. }
            | Ty::Mask { n, .. }
            | Ty::Across { n, .. } => *n = count,
            Ty::Batch(inner) => **inner = inner.with_count(count),
            _ => {}
        }
        t
    }

    /// Whether the value is one for the whole batch, and its type as one image's value.
    pub fn scope(&self) -> (bool, &Ty) {
        match self {
            Ty::Batch(inner) => (true, inner),
            t => (false, t),
        }
    }

    /// `inner` as one value for the batch when `batch`, else per image.
    pub fn scoped(batch: bool, inner: Ty) -> Ty {
        if batch { Ty::Batch(Box::new(inner)) } else { inner }
    }

    /// Is it one number per image (or per instance), or one for the batch: what a loss is?
    pub fn is_scalar(&self) -> bool {
        matches!(self.scope().1, Ty::Scalar { n: 1 })
    }

    /// Is it a tensor of numbers that arithmetic and reductions apply to? Masks, boxes,
    /// segment maps, slots and crop geometry are structured values the ops that make and read
    /// them understand, not numbers to add up.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Ty::Image { .. }
                | Ty::Tokens { .. }
                | Ty::Vector { .. }
                | Ty::Matrix { .. }
                | Ty::Scalar { .. }
                | Ty::Labels { .. }
                | Ty::Across { .. }
        ) || matches!(self, Ty::Batch(inner) if inner.is_numeric())
    }

    /// The feature width of vectors, tokens and slots.
    pub fn feature_dim(&self) -> Option<u64> {
        match self {
            Ty::Tokens { dim, .. } | Ty::Vector { dim, .. } | Ty::Slots { dim, .. } => Some(*dim),
            _ => None,
        }
    }

    /// A short noun for messages: "an image", "tokens".
    pub fn noun(&self) -> &'static str {
        match self {
            Ty::Image { .. } => "an image",
            Ty::Tokens { .. } => "tokens",
            Ty::Vector { .. } => "a vector",
            Ty::Matrix { .. } => "a matrix",
            Ty::Scalar { .. } => "a scalar",
            Ty::Mask { .. } => "a mask",
            Ty::Boxes { .. } => "boxes",
            Ty::Segments { .. } => "a segment map",
            Ty::Slots { .. } => "segment slots",
            Ty::Labels { .. } => "labels",
            Ty::Geometry => "a crop geometry",
            Ty::Bank { .. } => "a memory bank",
            Ty::Batch(_) => "a value for the batch",
            Ty::Across { .. } => "dot products across the batch",
        }
    }
}
