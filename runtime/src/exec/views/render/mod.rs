//! Views made on the training device (`data.views = "device"`): the CPU stage drew every crop
//! box, flip and photometric parameter, as it does for its own views; here the crops are cut and
//! resized, then coloured, blurred and solarized, as batched tensor operations over all the
//! views of a slot, and normalised as `stack` normalises the CPU's.

mod blur;
mod colour;
mod resample;

use burn::tensor::{Bool, Device, Tensor, TensorData};

use super::stack::{MEAN, STD};
use super::{Cpu, Deferred, Photo};
use crate::data::Scene;
use crate::error::RunError;

/// The views of one slot, a scene's consecutively, as a normalised `[views, c, size, size]`
/// tensor on `device`.
pub(super) fn images<'a>(
    scenes: &[&Scene],
    values: impl Iterator<Item = &'a Cpu>,
    device: &Device,
) -> Result<Tensor<4>, RunError> {
    let mut views: Vec<(usize, &Deferred)> = vec![];
    for (scene, value) in values.enumerate() {
        let Cpu::Deferred(made) = value else {
            return Err(RunError::Internal("one slot holds values of different kinds".into()));
        };
        views.extend(made.iter().map(|(d, _)| (scene, d)));
    }
    let first = views
        .first()
        .ok_or_else(|| RunError::Internal("an empty batch".into()))?
        .1;
    let alike =
        |d: &Deferred| d.size == first.size && d.channels == first.channels && d.photo.len() == first.photo.len();
    if !views.iter().all(|(_, d)| alike(d)) {
        return Err(RunError::Internal(
            "the views of one slot differ in size or pipeline".into(),
        ));
    }
    let mut x = resample::crops(scenes, &views, device)?;
    for k in 0..first.photo.len() {
        let photos: Vec<&Photo> = views.iter().map(|(_, d)| &d.photo[k]).collect();
        x = match photos[0] {
            Photo::Jitter(_) => colour::jitter(x, &photos, device)?,
            Photo::Grey(_) => colour::grey(x, &photos, device)?,
            Photo::Blur(_) => blur::blur(x, &photos, device)?,
            Photo::Solarize(_) => colour::solarize(x, &photos, device)?,
        };
    }
    Ok(x.sub_scalar(MEAN).div_scalar(STD))
}

/// Each view's draws of one op, as `of` reads them from its kind of draw.
fn drawn<'a, T>(photos: &[&'a Photo], of: impl Fn(&'a Photo) -> Option<T>) -> Result<Vec<T>, RunError> {
    photos
        .iter()
        .map(|p| of(p).ok_or_else(|| RunError::Internal("one op's draws differ in kind".into())))
        .collect()
}

/// One value per view as a `[views, 1, 1, 1]` tensor, to scale or shift each view's pixels.
fn per_view(values: Vec<f32>, device: &Device) -> Tensor<4> {
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n, 1, 1, 1]), device)
}

/// Which views an op changes, as a mask the shape of `x`.
fn chosen(flags: Vec<bool>, x: &Tensor<4>, device: &Device) -> Tensor<4, Bool> {
    let n = flags.len();
    Tensor::<4, Bool>::from_data(TensorData::new(flags, [n, 1, 1, 1]), device).expand(x.dims())
}

#[cfg(test)]
mod tests;
