//! Colour jitter, grey and solarize over a batch of views, each view with its own draws: an op
//! is computed for every view and kept where the view drew it, so one batch runs a few kernels
//! whatever its draws. The arithmetic is `augment::colour`'s, operation for operation.

use burn::tensor::{Device, Tensor};

use super::{Photo, chosen, per_view};
use crate::error::RunError;

/// The luma of each pixel, `[views, 1, h, w]`.
fn luma(x: &Tensor<4>) -> Tensor<4> {
    let channel = |c: usize| x.clone().narrow(1, c, 1);
    channel(0).mul_scalar(0.299) + channel(1).mul_scalar(0.587) + channel(2).mul_scalar(0.114)
}

/// Each view's colour jitter: its four parts in the order it drew, part by part.
pub(super) fn jitter(mut x: Tensor<4>, photos: &[&Photo], device: &Device) -> Result<Tensor<4>, RunError> {
    let drawn = super::drawn(photos, |p| match p {
        Photo::Jitter(j) => Some(*j),
        _ => None,
    })?;
    for position in 0..4 {
        for part in 0..4 {
            // The views whose jitter runs `part` at `position`, and with what factor.
            let runs: Vec<Option<f32>> = drawn
                .iter()
                .map(|j| j.filter(|j| j.order[position] == part).and_then(|j| j.factors[part]))
                .collect();
            if runs.iter().all(Option::is_none) {
                continue;
            }
            let identity = if part == 3 { 0.0 } else { 1.0 };
            let factors = per_view(runs.iter().map(|f| f.unwrap_or(identity)).collect(), device);
            let changed = match part {
                0 => (x.clone() * factors).clamp(0.0, 1.0),
                1 => {
                    let [n, ..] = x.dims();
                    let m = luma(&x).reshape([n as i32, -1]).mean_dim(1).reshape([n, 1, 1, 1]);
                    ((x.clone() - m.clone()) * factors + m).clamp(0.0, 1.0)
                }
                2 => {
                    let l = luma(&x);
                    ((x.clone() - l.clone()) * factors + l).clamp(0.0, 1.0)
                }
                _ => hue(&x, runs.iter().map(|f| f.unwrap_or(0.0)).collect(), device),
            };
            let mask = chosen(runs.iter().map(Option::is_some).collect(), &x, device);
            x = x.mask_where(mask, changed);
        }
    }
    Ok(x)
}

/// The hue of each view rotated by its shift in turns (a YIQ rotation), as `augment::colour`.
fn hue(x: &Tensor<4>, shifts: Vec<f32>, device: &Device) -> Tensor<4> {
    let angle = |f: fn(f32) -> f32| per_view(shifts.iter().map(|s| f(s * std::f32::consts::TAU)).collect(), device);
    let (c, s) = (angle(f32::cos), angle(f32::sin));
    let channel = |k: usize| x.clone().narrow(1, k, 1);
    let (r, g, b) = (channel(0), channel(1), channel(2));
    let y = luma(x);
    let i = r.clone().mul_scalar(0.596) - g.clone().mul_scalar(0.274) - b.clone().mul_scalar(0.322);
    let q = r.mul_scalar(0.211) - g.mul_scalar(0.523) + b.mul_scalar(0.312);
    let i2 = i.clone() * c.clone() - q.clone() * s.clone();
    let q2 = i * s + q * c;
    let r = y.clone() + i2.clone().mul_scalar(0.956) + q2.clone().mul_scalar(0.621);
    let g = y.clone() - i2.clone().mul_scalar(0.272) - q2.clone().mul_scalar(0.647);
    let b = y - i2.mul_scalar(1.106) + q2.mul_scalar(1.703);
    Tensor::cat(vec![r, g, b], 1).clamp(0.0, 1.0)
}

/// Each view that drew it turned grey: its luma in all three channels.
pub(super) fn grey(x: Tensor<4>, photos: &[&Photo], device: &Device) -> Result<Tensor<4>, RunError> {
    let flags = super::drawn(photos, |p| match p {
        Photo::Grey(on) => Some(*on),
        _ => None,
    })?;
    if !flags.iter().any(|f| *f) {
        return Ok(x);
    }
    let grey = luma(&x).expand(x.dims());
    let mask = chosen(flags, &x, device);
    Ok(x.mask_where(mask, grey))
}

/// Each view that drew it with its values at or above the threshold inverted.
pub(super) fn solarize(x: Tensor<4>, photos: &[&Photo], device: &Device) -> Result<Tensor<4>, RunError> {
    let drawn = super::drawn(photos, |p| match p {
        Photo::Solarize(t) => Some(*t),
        _ => None,
    })?;
    if drawn.iter().all(Option::is_none) {
        return Ok(x);
    }
    let thresholds = per_view(drawn.iter().map(|t| t.unwrap_or(f32::INFINITY)).collect(), device);
    let bright = x.clone().greater_equal(thresholds.expand(x.dims()));
    let inverted = x.clone().neg().add_scalar(1.0);
    Ok(x.mask_where(bright, inverted))
}
