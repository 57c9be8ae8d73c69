//! Per-image values of the CPU stage stacked into batch values: normalised image tensors, masks
//! as kept indices, labels, geometry and segment maps.

use burn::tensor::{Device, Tensor, TensorData};

use super::Cpu;
use crate::data::{Image, Scene};
use crate::error::RunError;
use crate::val::{Mask, Val};

/// Per-channel normalisation applied when images become tensors.
pub const MEAN: f32 = 0.5;
pub const STD: f32 = 0.25;

/// Stacks one slot's per-image values into a batch value (a scene's views consecutively).
pub(super) fn to_val<'a>(values: impl Iterator<Item = &'a Cpu> + Clone, device: &Device) -> Result<Val, RunError> {
    let mismatch = || RunError::Internal("one slot holds values of different kinds".into());
    match values.clone().next() {
        Some(Cpu::Image(..)) => {
            let mut images: Vec<&Image> = vec![];
            for v in values {
                let Cpu::Image(views) = v else { return Err(mismatch()) };
                images.extend(views.iter().map(|(img, _)| img));
            }
            Ok(Val::Images(stack(images.into_iter(), device)?))
        }
        Some(Cpu::Labels(first)) => {
            let width = first.len();
            let mut data = vec![];
            let mut n = 0;
            for v in values {
                let Cpu::Labels(l) = v else { return Err(mismatch()) };
                data.extend_from_slice(l);
                n += 1;
            }
            Ok(Val::Vectors(Tensor::from_data(
                TensorData::new(data, [n, width]),
                device,
            )))
        }
        Some(Cpu::Mask(first)) => {
            let tokens = first.first().map_or(0, Vec::len);
            let (mut keep, mut restore, mut masked) = (vec![], vec![], vec![]);
            let mut n = 0;
            // Kept indices stack only where every image keeps as many: a mask that draws its
            // count per image has none, and the checker lets no step ask for them.
            let mut kept = None;
            let mut same = true;
            // A scene's masks consecutively, as its views are.
            let mut each = vec![];
            for v in values {
                let Cpu::Mask(m) = v else { return Err(mismatch()) };
                each.extend(m);
            }
            for m in each {
                let k: Vec<i64> = (0..tokens).filter(|i| !m[*i]).map(|i| i as i64).collect();
                same &= *kept.get_or_insert(k.len()) == k.len();
                let order: Vec<usize> = (0..tokens)
                    .filter(|i| !m[*i])
                    .chain((0..tokens).filter(|i| m[*i]))
                    .collect();
                let mut inverse = vec![0i64; tokens];
                for (pos, token) in order.iter().enumerate() {
                    inverse[*token] = pos as i64;
                }
                keep.extend(k);
                restore.extend(inverse);
                masked.extend(m.iter().map(|b| if *b { 1.0f32 } else { 0.0 }));
                n += 1;
            }
            let kept = kept.unwrap_or(0);
            Ok(Val::Mask(Box::new(Mask {
                keep: same.then(|| Tensor::from_data(TensorData::new(keep, [n, kept]), device)),
                restore: Tensor::from_data(TensorData::new(restore, [n, tokens]), device),
                masked: Tensor::from_data(TensorData::new(masked, [n, tokens]), device),
            })))
        }
        Some(Cpu::Segments(_)) => {
            let mut maps = vec![];
            for v in values {
                let Cpu::Segments(m) = v else { return Err(mismatch()) };
                maps.extend(m.iter().cloned());
            }
            Ok(Val::Segments(std::sync::Arc::new(maps)))
        }
        Some(Cpu::Deferred(_)) => Err(RunError::Internal(
            "views made on the device are rendered, not stacked".into(),
        )),
        Some(Cpu::Boxes(_)) | Some(Cpu::Parts(_)) => Err(RunError::Internal(
            "boxes and tuples stay in the view stage; no tensor step reads them".into(),
        )),
        Some(Cpu::Geometry(_)) => {
            let mut data: Vec<f32> = vec![];
            for v in values {
                let Cpu::Geometry(g) = v else { return Err(mismatch()) };
                data.extend(g.iter().flatten());
            }
            let n = data.len() / 5;
            Ok(Val::Vectors(Tensor::from_data(TensorData::new(data, [n, 5]), device)))
        }
        None => Err(RunError::Internal("an empty batch".into())),
    }
}

/// Images per forward pass when a network reads whole datasets (probes, jobs).
const CHUNK: usize = 256;

/// The full images of `scenes` as normalised batches of at most 256, for inference.
pub fn full_images<'a>(
    scenes: &'a [Scene],
    device: &'a Device,
) -> impl Iterator<Item = Result<Tensor<4>, RunError>> + 'a {
    scenes
        .chunks(CHUNK)
        .map(move |chunk| stack(chunk.iter().map(|s| &s.image), device))
}

/// Stacks same-sized images into a normalised `[batch, c, h, w]` tensor.
pub fn stack<'a>(images: impl Iterator<Item = &'a Image>, device: &Device) -> Result<Tensor<4>, RunError> {
    let mut data = vec![];
    let mut dims = None;
    let mut n = 0;
    for img in images {
        let d = (img.c, img.h, img.w);
        if *dims.get_or_insert(d) != d {
            return Err(RunError::Internal("images of one view differ in size".into()));
        }
        data.extend(img.data.iter().map(|v| (v - MEAN) / STD));
        n += 1;
    }
    let (c, h, w) = dims.unwrap_or((3, 1, 1));
    Ok(Tensor::from_data(TensorData::new(data, [n, c, h, w]), device))
}
