//! Run-time values of plan slots: batched tensors, batch axis first.

use std::sync::Arc;

use burn::tensor::{Int, Tensor};

use crate::error::RunError;

/// A slot's value for a whole batch.
#[derive(Clone, Debug)]
pub enum Val {
    /// `[batch, channels, h, w]`.
    Images(Tensor<4>),
    /// `[batch, tokens, dim]`.
    Tokens(Tensor<3>),
    /// `[batch, dim]`.
    Vectors(Tensor<2>),
    /// `[1]`: a scalar already reduced over the batch, or `[rows]`: one per image or view.
    Scalar(Tensor<1>),
    /// `[batch, n, m]`: a matrix per image.
    Matrix(Tensor<3>),
    /// A token mask.
    Mask(Box<Mask>),
    /// Segment maps, one per row (view) of the batch; pooled on CPU.
    Segments(Arc<Vec<SegMap>>),
    /// Segment-pooled features `[rows, slots, dim]` and, per slot, its (row, segment id).
    Slots(Tensor<3>, Arc<Vec<(usize, i64)>>),
    /// `[size, dim]`: a memory of past vectors, shared by the batch (`queue`).
    Bank(Tensor<2>),
}

/// An integer segment map of one view.
#[derive(Clone, Debug, PartialEq)]
pub struct SegMap {
    pub data: Vec<u8>,
    pub h: usize,
    pub w: usize,
}

/// A batch of token masks.
#[derive(Clone, Debug)]
pub struct Mask {
    /// `[batch, kept]`: indices of the kept tokens, in grid order, where every image keeps the
    /// same number; `None` for a mask whose images draw their own counts (a ratio range).
    pub keep: Option<Tensor<2, Int>>,
    /// `[batch, tokens]`: where each grid position sits in `kept ++ masked` order (MAE's
    /// `ids_restore`), to put tokens back on the grid with one gather.
    pub restore: Tensor<2, Int>,
    /// `[batch, tokens]`: 1 where a token is masked, 0 where it is kept.
    pub masked: Tensor<2>,
}

impl Mask {
    /// The kept indices `[batch, kept]`, which only a mask keeping one count in every image has:
    /// the checker lets no other mask drop or select tokens.
    pub fn kept(&self) -> Result<&Tensor<2, Int>, RunError> {
        self.keep
            .as_ref()
            .ok_or_else(|| RunError::Internal("tokens dropped or selected by a mask whose count varies".into()))
    }

    /// The mask for a batch of `rows` rows: drawn per image, a mask applies to every view of
    /// its image, whose rows are consecutive, so each image's row repeats once per view.
    pub fn for_rows(&self, rows: usize) -> Mask {
        let images = self.masked.dims()[0].max(1);
        let views = rows / images;
        if views <= 1 {
            return self.clone();
        }
        use crate::tensor::repeat_rows2;
        Mask {
            keep: self.keep.clone().map(|k| repeat_rows2(k, views)),
            restore: repeat_rows2(self.restore.clone(), views),
            masked: repeat_rows2(self.masked.clone(), views),
        }
    }
}

impl Val {
    /// The value flattened to one axis.
    pub fn flat(self) -> Result<Tensor<1>, RunError> {
        Ok(match self {
            Val::Images(t) => t.flatten(0, 3),
            Val::Tokens(t) => t.flatten(0, 2),
            Val::Vectors(t) => t.flatten(0, 1),
            Val::Scalar(t) => t,
            Val::Matrix(t) => t.flatten(0, 2),
            Val::Mask(m) => m.masked.flatten(0, 1),
            Val::Segments(_) => return Err(RunError::Internal("segment maps have no tensor".into())),
            Val::Slots(t, _) => t.flatten(0, 2),
            Val::Bank(t) => t.flatten(0, 1),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Val::Images(_) => "images",
            Val::Tokens(_) => "tokens",
            Val::Vectors(_) => "vectors",
            Val::Scalar(_) => "a scalar",
            Val::Matrix(_) => "matrices",
            Val::Mask(_) => "a mask",
            Val::Segments(_) => "segment maps",
            Val::Slots(..) => "segment slots",
            Val::Bank(_) => "a memory bank",
        }
    }

    fn wrong(&self, want: &str) -> RunError {
        RunError::Internal(format!("expected {want}, found {}", self.kind()))
    }

    pub fn images(self) -> Result<Tensor<4>, RunError> {
        match self {
            Val::Images(t) => Ok(t),
            v => Err(v.wrong("images")),
        }
    }

    pub fn tokens(self) -> Result<Tensor<3>, RunError> {
        match self {
            Val::Tokens(t) => Ok(t),
            v => Err(v.wrong("tokens")),
        }
    }

    pub fn vectors(self) -> Result<Tensor<2>, RunError> {
        match self {
            Val::Vectors(t) => Ok(t),
            v => Err(v.wrong("vectors")),
        }
    }

    pub fn bank(self) -> Result<Tensor<2>, RunError> {
        match self {
            Val::Bank(t) => Ok(t),
            v => Err(v.wrong("a memory bank")),
        }
    }

    pub fn matrix(self) -> Result<Tensor<3>, RunError> {
        match self {
            Val::Matrix(t) => Ok(t),
            v => Err(v.wrong("matrices")),
        }
    }

    pub fn mask(self) -> Result<Mask, RunError> {
        match self {
            Val::Mask(m) => Ok(*m),
            v => Err(v.wrong("a mask")),
        }
    }

    pub fn scalar(self) -> Result<Tensor<1>, RunError> {
        match self {
            Val::Scalar(t) => Ok(t),
            v => Err(v.wrong("a scalar")),
        }
    }

    /// The same value cut off from the autodiff graph.
    pub fn detach(self) -> Val {
        self.map(|t| t.detach(), |t| t.detach(), |t| t.detach(), |t| t.detach())
    }

    /// The same value on the plain backend (no autodiff): for steps that need no gradient.
    pub fn inner(self) -> Val {
        match self {
            Val::Mask(m) => Val::Mask(Box::new(Mask {
                keep: m.keep.map(|k| k.inner()),
                restore: m.restore.inner(),
                masked: m.masked.inner(),
            })),
            v => v.map(|t| t.inner(), |t| t.inner(), |t| t.inner(), |t| t.inner()),
        }
    }

    /// `f` over the last axis of vectors `[b, d]`, tokens and slots `[b, n, d]`; an error
    /// naming `what` for any other value.
    pub fn map_rows(self, what: &str, f: impl FnOnce(Tensor<3>) -> Tensor<3>) -> Result<Val, RunError> {
        Ok(match self {
            Val::Vectors(t) => {
                let [b, d] = t.dims();
                Val::Vectors(f(t.reshape([b, 1, d])).reshape([b, d]))
            }
            Val::Tokens(t) => Val::Tokens(f(t)),
            Val::Slots(t, owners) => Val::Slots(f(t), owners),
            v => return Err(RunError::Internal(format!("{what} of {}", v.kind()))),
        })
    }

    /// Applies the function matching the value's rank.
    pub fn map(
        self,
        f4: impl FnOnce(Tensor<4>) -> Tensor<4>,
        f3: impl FnOnce(Tensor<3>) -> Tensor<3>,
        f2: impl FnOnce(Tensor<2>) -> Tensor<2>,
        f1: impl FnOnce(Tensor<1>) -> Tensor<1>,
    ) -> Val {
        match self {
            Val::Images(t) => Val::Images(f4(t)),
            Val::Tokens(t) => Val::Tokens(f3(t)),
            Val::Vectors(t) => Val::Vectors(f2(t)),
            Val::Scalar(t) => Val::Scalar(f1(t)),
            Val::Matrix(t) => Val::Matrix(f3(t)),
            Val::Mask(m) => Val::Mask(m),
            Val::Segments(s) => Val::Segments(s),
            Val::Slots(t, owners) => Val::Slots(f3(t), owners),
            Val::Bank(t) => Val::Bank(f2(t)),
        }
    }
}
