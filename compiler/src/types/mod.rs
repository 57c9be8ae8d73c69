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
    /// A matrix per image (costs, transport plans, similarities).
    Matrix { rows: u64, cols: u64 },
    /// A scalar per image (or per instance when `n > 1`).
    Scalar { n: u64 },
    /// A boolean mask over a token grid; `keep` tokens are visible (or selected), the same
    /// number in every image, or `None` where each image draws its own count.
    Mask { grid: (u64, u64), keep: Option<u64> },
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
}

impl Ty {
    /// The multiplicity `n` (views, instances) of a value, 1 where it has none.
    pub fn count(&self) -> u64 {
        match self {
            Ty::Image { n, .. } | Ty::Tokens { n, .. } | Ty::Vector { n, .. } | Ty::Scalar { n } => *n,
            _ => 1,
        }
    }

    /// The same type with multiplicity `n`, where it has one.
    pub fn with_count(&self, count: u64) -> Ty {
        let mut t = self.clone();
        match &mut t {
            Ty::Image { n, .. } | Ty::Tokens { n, .. } | Ty::Vector { n, .. } | Ty::Scalar { n } => *n = count,
            _ => {}
        }
        t
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
        )
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
        }
    }
}
