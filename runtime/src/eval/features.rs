//! Frozen features for probes, from a network or straight from the pixels: one vector per
//! image, or one per cell of a square grid over it (dense probes).

use burn::tensor::{Device, Tensor};

use crate::data::Scene;
use crate::error::RunError;
use crate::exec::views::full_images;
use crate::nets::Net;

/// Where probe features come from.
#[derive(Clone, Copy)]
pub enum Features<'a> {
    /// The image itself, flattened (per cell: the cell's pixels).
    Pixels,
    /// A network's features (see [`Net::features`] and [`Net::dense_features`]).
    Net(&'a Net),
}

impl Features<'_> {
    /// One row per scene, `[scenes, dim]`, computed without autodiff.
    pub fn global(&self, scenes: &[Scene], device: &Device) -> Result<Tensor<2>, RunError> {
        let plain = device.clone().inner();
        let parts = full_images(scenes, &plain)
            .map(|x| match self {
                Features::Pixels => x.map(|x| x.flatten::<2>(1, 3)),
                Features::Net(net) => net.features(x?),
            })
            .collect::<Result<Vec<_>, RunError>>()?;
        Ok(Tensor::cat(parts, 0))
    }

    /// One row per grid cell, `[scenes·g·g, dim]` (scene-major, cells row-major). For a
    /// network, `g` is its own grid and must equal the one asked for; `None` if the network's
    /// output is not a grid of tokens.
    pub fn dense(&self, scenes: &[Scene], g: usize, device: &Device) -> Result<Option<Tensor<2>>, RunError> {
        let plain = device.clone().inner();
        let mut parts = vec![];
        for x in full_images(scenes, &plain) {
            let x = x?;
            let cells = match self {
                Features::Pixels => {
                    let p = (x.dims()[2] / g).max(1);
                    crate::tensor::patchify(x, p)
                }
                Features::Net(net) => match net.dense_features(x)? {
                    Some(t) => t,
                    None => return Ok(None),
                },
            };
            let [b, n, d] = cells.dims();
            if n != g * g {
                return Ok(None);
            }
            parts.push(cells.reshape([b * n, d]));
        }
        Ok(Some(Tensor::cat(parts, 0)))
    }
}

/// The side of a network's grid of dense features on images like `scene`, if it has one.
pub fn grid(net: &Net, scene: &Scene, device: &Device) -> Result<Option<usize>, RunError> {
    let plain = device.clone().inner();
    let Some(x) = full_images(std::slice::from_ref(scene), &plain).next() else {
        return Ok(None);
    };
    Ok(net
        .dense_features(x?)?
        .map(|t| (t.dims()[1] as f64).sqrt().round() as usize))
}
