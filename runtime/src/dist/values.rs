//! A step whose op couples the images of the batch, across ranks: its per-image inputs gathered
//! from every rank (rank after rank: the global batch in order), and its per-image output cut
//! back to this rank's rows.

use burn::tensor::{Int, Tensor};
use sslc_compiler::types::Ty;

use crate::error::RunError;
use crate::val::{Mask, Val};

/// Rows of this rank's value of type `ty` in a batch of `images` images: `n` per image; `None`
/// for a value that is one for the batch.
fn rows(ty: &Ty, images: usize) -> Option<usize> {
    match ty {
        Ty::Batch(_) | Ty::Bank { .. } => None,
        t => Some(images * t.count().max(1) as usize),
    }
}

/// The first axis of `v`, where it has rows of images.
fn leading(v: &Val) -> Option<usize> {
    Some(match v {
        Val::Images(t) => t.dims()[0],
        Val::Tokens(t) | Val::Matrix(t) => t.dims()[0],
        Val::Vectors(t) => t.dims()[0],
        Val::Scalar(t) => t.dims()[0],
        Val::Mask(m) => m.masked.dims()[0],
        _ => return None,
    })
}

fn gather_int(t: Tensor<2, Int>) -> Result<Tensor<2, Int>, RunError> {
    // Indices below 2²⁴ travel exactly as floats.
    Ok(super::gather_rows(t.float())?.int())
}

/// `v` with every rank's rows, when it holds this rank's rows of a per-image value.
fn gather(v: Val, ty: &Ty, images: usize) -> Result<Val, RunError> {
    if rows(ty, images).is_none() || leading(&v) != rows(ty, images) {
        // A value for the batch, or a loss built-in's scalar already averaged: the same on
        // every rank.
        return Ok(v);
    }
    Ok(match v {
        Val::Images(t) => Val::Images(super::gather_rows(t)?),
        Val::Tokens(t) => Val::Tokens(super::gather_rows(t)?),
        Val::Matrix(t) => Val::Matrix(super::gather_rows(t)?),
        Val::Vectors(t) => Val::Vectors(super::gather_rows(t)?),
        Val::Scalar(t) => Val::Scalar(super::gather_rows(t)?),
        Val::Mask(m) => Val::Mask(Box::new(Mask {
            keep: m.keep.map(gather_int).transpose()?,
            restore: gather_int(m.restore)?,
            masked: super::gather_rows(m.masked)?,
        })),
        other => {
            return Err(RunError::Distributed(format!(
                "{} cannot be gathered across ranks yet: an op that couples the batch reads them",
                other.kind()
            )));
        }
    })
}

/// The inputs of a step that couples the batch, every per-image one with every rank's rows
/// (`types` the inputs' types, `images` this rank's). Alone, as they are.
pub fn gather_inputs(inputs: Vec<Val>, types: &[Option<&Ty>], images: usize) -> Result<Vec<Val>, RunError> {
    if super::world().is_none() {
        return Ok(inputs);
    }
    inputs
        .into_iter()
        .zip(types)
        .map(|(v, ty)| match ty {
            Some(ty) => gather(v, ty, images),
            None => Ok(v),
        })
        .collect()
}

/// The output of a step that coupled the batch, cut to this rank's rows when it is per image
/// (`images` this rank's). Alone, as it is.
pub fn own_rows(v: Val, ty: &Ty, images: usize) -> Result<Val, RunError> {
    let Some(w) = super::world() else {
        return Ok(v);
    };
    let Some(mine) = rows(ty, images) else {
        return Ok(v);
    };
    if leading(&v) != Some(mine * w.size) {
        return Ok(v);
    }
    let at = w.rank * mine;
    Ok(match v {
        Val::Images(t) => Val::Images(t.narrow(0, at, mine)),
        Val::Tokens(t) => Val::Tokens(t.narrow(0, at, mine)),
        Val::Matrix(t) => Val::Matrix(t.narrow(0, at, mine)),
        Val::Vectors(t) => Val::Vectors(t.narrow(0, at, mine)),
        Val::Scalar(t) => Val::Scalar(t.narrow(0, at, mine)),
        Val::Mask(m) => Val::Mask(Box::new(Mask {
            keep: m.keep.map(|k| k.narrow(0, at, mine)),
            restore: m.restore.narrow(0, at, mine),
            masked: m.masked.narrow(0, at, mine),
        })),
        other => other,
    })
}
