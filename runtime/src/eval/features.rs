//! Frozen features for probes, from a network or straight from the pixels: one vector per
//! image, or one per cell of a square grid over it (dense probes).

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::probed::{Target, ValueProbe};
use crate::data::Scene;
use crate::error::RunError;
use crate::exec::views::full_images;
use crate::nets::Net;
use crate::tensor::{pool_tokens, square_grid};
use crate::val::Val;
use crate::weights::Weights;

/// Where probe features come from.
#[derive(Clone, Copy)]
pub enum Features<'a> {
    /// The image itself, flattened (per cell: the cell's pixels).
    Pixels,
    /// A network's features (see [`Net::features`] and [`Net::dense_features`]).
    Net(&'a Net),
    /// A recipe's value at these weights, computed from the whole image: vectors as they are,
    /// tokens by their class token or, without one, their mean (dense: the grid's tokens).
    Value(&'a ValueProbe, &'a Weights),
}

impl Features<'_> {
    /// One row per scene, `[scenes, dim]`, computed without autodiff.
    pub fn global(&self, scenes: &[Scene], device: &Device) -> Result<Tensor<2>, RunError> {
        let plain = device.clone().inner();
        let parts = full_images(scenes, &plain)
            .map(|x| match self {
                Features::Pixels => x.map(|x| x.flatten::<2>(1, 3)),
                Features::Net(net) => net.features(x?),
                Features::Value(v, w) => match v.on(w, x?)? {
                    Val::Vectors(t) => Ok(t),
                    Val::Tokens(t) => Ok(pool_tokens(t, v.cls)),
                    other => Err(RunError::Internal(format!("a probed value of {}", other.kind()))),
                },
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
                Features::Value(v, w) => match v.on(w, x)? {
                    Val::Tokens(t) => match square_grid(t, v.cls) {
                        Some(t) => t,
                        None => return Ok(None),
                    },
                    _ => return Ok(None),
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

impl Features<'_> {
    /// The side of the grid of dense features on images like `scene`, if there is one.
    pub fn grid(&self, scene: &Scene, device: &Device) -> Result<Option<usize>, RunError> {
        let plain = device.clone().inner();
        let Some(x) = full_images(std::slice::from_ref(scene), &plain).next() else {
            return Ok(None);
        };
        let tokens = match self {
            Features::Pixels => return Ok(None),
            Features::Net(net) => net.dense_features(x?)?,
            Features::Value(v, w) => match v.on(w, x?)? {
                Val::Tokens(t) => square_grid(t, v.cls),
                _ => None,
            },
        };
        Ok(tokens.map(|t| (t.dims()[1] as f64).sqrt().round() as usize))
    }
}

impl Target {
    /// Calls `f` with the features of `weights` this target gives.
    pub fn with<R>(
        &self,
        weights: &Weights,
        f: impl FnOnce(Features<'_>) -> Result<R, RunError>,
    ) -> Result<R, RunError> {
        match self {
            Target::Net { branch, net } => {
                let net = weights.get(branch, net)?.valid();
                f(Features::Net(&net))
            }
            Target::Value(v) => f(Features::Value(v, weights)),
        }
    }
}
