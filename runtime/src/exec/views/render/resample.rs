//! Cutting each view's box out of its source and resizing it to a square, as two matrix
//! products per view: rows then columns, with the weights `data::resize::resize_box` uses
//! (bilinear where the box is no larger than the square, a triangle widened by the shrink
//! where it is larger), built on the device from each output pixel's centre. A mirrored view's
//! columns come out reversed.

use std::collections::HashMap;

use burn::tensor::{Bool, DType, Device, Int, Tensor, TensorData};

use super::Deferred;
use crate::data::{Image, Scene};
use crate::error::RunError;
use crate::exec::views::Source;

/// The crops of `views` (each with its scene's index), `[views, c, size, size]` in [0, 1].
pub(super) fn crops(scenes: &[&Scene], views: &[(usize, &Deferred)], device: &Device) -> Result<Tensor<4>, RunError> {
    // Each source once, padded to the largest.
    let mut sources: Vec<&Image> = vec![];
    let mut at: HashMap<(usize, Source), usize> = HashMap::new();
    let mut which = vec![];
    let mut rows = Axis::default();
    let mut cols = Axis::default();
    let size = views[0].1.size;
    for (scene, d) in views {
        let image = match d.source {
            Source::Image => &scenes[*scene].image,
            Source::Picture => scenes[*scene]
                .source
                .as_ref()
                .map(|p| &*p.image)
                .ok_or_else(|| RunError::Internal("a view of a picture its scene does not keep".into()))?,
        };
        let k = *at.entry((*scene, d.source)).or_insert_with(|| {
            sources.push(image);
            sources.len() - 1
        });
        which.push(k as i64);
        let (y, x, bh, bw) = d.bx;
        // The CPU resizes bilinearly where the box fits the square on both sides, and cuts
        // boxes so whatever their size.
        let bilinear = d.sampled || (bh <= size as f32 && bw <= size as f32);
        rows.push(y, bh, size, image.h, bilinear, false);
        cols.push(x, bw, size, image.w, bilinear, d.mirrored);
    }
    let c = views[0].1.channels;
    if sources.iter().any(|image| image.c != c) {
        return Err(RunError::Internal("the sources of one slot differ in channels".into()));
    }
    let h = sources.iter().map(|i| i.h).max().unwrap_or(1);
    let w = sources.iter().map(|i| i.w).max().unwrap_or(1);
    let n = views.len();
    let src = upload(pixels(&sources, [c, h, w]), [sources.len(), c, h, w], device)
        .select(0, Tensor::<1, Int>::from_data(TensorData::new(which, [n]), device));
    let rows = rows
        .weights(h, n, size, device)
        .unsqueeze_dim::<4>(1)
        .expand([n, c, size, h]);
    let cols = cols
        .weights(w, n, size, device)
        .swap_dims(1, 2)
        .unsqueeze_dim::<4>(1)
        .expand([n, c, w, size]);
    Ok(rows.matmul(src).matmul(cols))
}

/// The sources' pixels, each padded to the largest with zeros.
#[derive(Debug, PartialEq)]
pub(super) enum Pixels {
    /// Every value is a byte over 255, as decoded pictures and Fashion-MNIST's are: a quarter
    /// of the floats' bytes travel to the device.
    Bytes(Vec<u8>),
    /// Some value is not (generated scenes, resized images).
    Floats(Vec<f32>),
}

/// The pixels of `sources` as `[sources, c, h, w]`: bytes where that loses nothing, else floats.
pub(super) fn pixels(sources: &[&Image], [c, h, w]: [usize; 3]) -> Pixels {
    /// Copies each source's rows into its place, `None` where `convert` refuses a value.
    fn pack<T: Copy + Default>(
        sources: &[&Image],
        [c, h, w]: [usize; 3],
        convert: impl Fn(f32) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut data = vec![T::default(); sources.len() * c * h * w];
        for (k, image) in sources.iter().enumerate() {
            for (ch, plane) in image.data.chunks_exact(image.h * image.w).enumerate() {
                for (y, row) in plane.chunks_exact(image.w).enumerate() {
                    let start = ((k * c + ch) * h + y) * w;
                    for (to, &v) in data[start..start + image.w].iter_mut().zip(row) {
                        *to = convert(v)?;
                    }
                }
            }
        }
        Some(data)
    }
    // A byte `p` was read as `p as f32 / 255.0`: exactly that value, or not a byte.
    let byte = |v: f32| {
        let q = (v * 255.0).round();
        ((0.0..=255.0).contains(&q) && q / 255.0 == v).then_some(q as u8)
    };
    match pack(sources, [c, h, w], byte) {
        Some(bytes) => Pixels::Bytes(bytes),
        None => Pixels::Floats(pack(sources, [c, h, w], Some).unwrap_or_default()),
    }
}

/// `pixels` on `device` as floats in [0, 1]: bytes are cast and divided there, to the values
/// the host read them as.
pub(super) fn upload(pixels: Pixels, shape: [usize; 4], device: &Device) -> Tensor<4> {
    match pixels {
        Pixels::Bytes(bytes) => Tensor::<4, Int>::from_data(TensorData::new(bytes, shape), (device, DType::U8))
            .float()
            .div_scalar(255.0),
        Pixels::Floats(floats) => Tensor::<4>::from_data(TensorData::new(floats, shape), device),
    }
}

/// Per view along one axis: each output pixel's centre in source pixels, the filter's half
/// width, the offset of a source pixel's centre, and the source's length.
#[derive(Default)]
struct Axis {
    centres: Vec<f32>,
    support: Vec<f32>,
    offset: Vec<f32>,
    len: Vec<f32>,
}

impl Axis {
    /// A view's box from `start`, `extent` pixels long, out to `size`, in a source `len` long.
    fn push(&mut self, start: f32, extent: f32, size: usize, len: usize, bilinear: bool, mirrored: bool) {
        let mut centres: Vec<f32> = if bilinear {
            // `Image::sample`: the coordinate clamped, pixel centres at whole numbers.
            (0..size)
                .map(|o| (start + (o as f32 + 0.5) * extent / size as f32 - 0.5).clamp(0.0, (len - 1) as f32))
                .collect()
        } else {
            let scale = extent / size as f32;
            (0..size).map(|o| start + (o as f32 + 0.5) * scale).collect()
        };
        if mirrored {
            centres.reverse();
        }
        self.centres.extend(centres);
        self.support
            .push(if bilinear { 1.0 } else { (extent / size as f32).max(1.0) });
        self.offset.push(if bilinear { 0.0 } else { 0.5 });
        self.len.push(len as f32);
    }

    /// The `[views, size, length]` weights: a triangle around each centre over the source's
    /// pixels (none past its end), each row summing to one.
    fn weights(self, length: usize, n: usize, size: usize, device: &Device) -> Tensor<3> {
        let centres = Tensor::<3>::from_data(TensorData::new(self.centres, [n, size, 1]), device);
        let column = |v: Vec<f32>| Tensor::<3>::from_data(TensorData::new(v, [n, 1, 1]), device);
        let (support, offset, len) = (column(self.support), column(self.offset), column(self.len));
        let pixel = Tensor::<1, Int>::arange(0..length as i64, device)
            .float()
            .reshape([1, 1, length]);
        let inside: Tensor<3, Bool> = pixel.clone().expand([n, 1, length]).lower(len.expand([n, 1, length]));
        let u = (pixel + offset - centres) / support;
        let w = u.abs().neg().add_scalar(1.0).clamp_min(0.0) * inside.float();
        let total = w.clone().sum_dim(2).clamp_min(f32::MIN_POSITIVE);
        w / total
    }
}
