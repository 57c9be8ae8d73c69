//! The Gaussian blur over a batch of views, each with its own kernel: a kernel along a row with
//! the border pixel repeated is a band matrix, so each pass is one matrix product per view,
//! rows then columns as `augment::colour::apply_blur`. The band matrices are built on the
//! device from the kernels' taps and the fixed shifts; a view that drew no blur gets the
//! identity, which leaves it exactly as it was.

use burn::tensor::{Device, Tensor, TensorData};

use super::Photo;
use crate::error::RunError;

/// Each view blurred by the kernel it drew.
pub(super) fn blur(x: Tensor<4>, photos: &[&Photo], device: &Device) -> Result<Tensor<4>, RunError> {
    let kernels = super::drawn(photos, |p| match p {
        Photo::Blur(k) => Some(k.as_deref()),
        _ => None,
    })?;
    let Some(radius) = kernels.iter().flatten().map(|k| k.len() / 2).max() else {
        return Ok(x);
    };
    let [n, c, h, w] = x.dims();
    if h != w {
        return Err(RunError::Internal("a blurred view that is not square".into()));
    }
    let taps = 2 * radius + 1;
    // Each view's taps centred in `taps`; the identity where it drew none.
    let mut weights = vec![0.0f32; n * taps];
    for (v, k) in kernels.iter().enumerate() {
        match k {
            Some(k) => {
                let from = radius - k.len() / 2;
                weights[v * taps + from..v * taps + from + k.len()].copy_from_slice(k);
            }
            None => weights[v * taps + radius] = 1.0,
        }
    }
    // Shift `t`: output pixel o reads source pixel clamp(o + t − radius).
    let mut shifts = vec![0.0f32; taps * w * w];
    for t in 0..taps {
        for o in 0..w {
            let i = (o + t).saturating_sub(radius).min(w - 1);
            shifts[(t * w + o) * w + i] = 1.0;
        }
    }
    let weights = Tensor::<2>::from_data(TensorData::new(weights, [n, taps]), device);
    let shifts = Tensor::<2>::from_data(TensorData::new(shifts, [taps, w * w]), device);
    let band = weights.matmul(shifts).reshape([n, 1, w, w]).expand([n, c, w, w]);
    let rows = x.matmul(band.clone().swap_dims(2, 3));
    Ok(band.matmul(rows))
}
