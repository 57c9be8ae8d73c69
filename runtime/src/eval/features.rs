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
    /// A network's features (see [`Net::output`]).
    Net(&'a Net),
    /// A recipe's value at these weights, computed from the whole image: vectors as they are,
    /// tokens by their class token or, without one, their mean (dense: the grid's tokens).
    Value(&'a ValueProbe, &'a Weights),
}

impl Features<'_> {
    /// One row per scene, `[scenes, dim]`, computed without autodiff.
    pub fn global(&self, scenes: &[Scene], device: &Device) -> Result<Tensor<2>, RunError> {
        Ok(self.global_and_dense(scenes, None, device)?.0)
    }

    /// The rows of [`Features::global`] and, when `grid` is given, one row per cell of that
    /// grid, `[scenes·g·g, dim]` (scene-major, cells row-major), from one forward pass over
    /// the scenes. The cells are `None` if the output is not a grid of tokens of that side.
    pub fn global_and_dense(
        &self,
        scenes: &[Scene],
        grid: Option<usize>,
        device: &Device,
    ) -> Result<(Tensor<2>, Option<Tensor<2>>), RunError> {
        let plain = device.clone().inner();
        let (mut global, mut dense) = (vec![], grid.map(|_| vec![]));
        for x in full_images(scenes, &plain) {
            let (g, cells) = self.pass(x?, grid)?;
            global.push(g);
            dense = dense.zip(cells).map(|(mut parts, cells)| {
                let [b, n, d] = cells.dims();
                parts.push(cells.reshape([b * n, d]));
                parts
            });
        }
        Ok((Tensor::cat(global, 0), dense.map(|parts| Tensor::cat(parts, 0))))
    }

    /// One batch of images: a row per image and, when `grid` is given, its `g·g` cells (`None`
    /// if the output is not a grid of that side).
    fn pass(&self, x: Tensor<4>, grid: Option<usize>) -> Result<(Tensor<2>, Option<Tensor<3>>), RunError> {
        let Some((val, cls)) = self.output(x.clone())? else {
            let cells = grid.and_then(|g| {
                let cells = crate::tensor::patchify(x.clone(), (x.dims()[2] / g).max(1));
                (cells.dims()[1] == g * g).then_some(cells)
            });
            return Ok((x.flatten::<2>(1, 3), cells));
        };
        match val {
            Val::Vectors(t) => Ok((t, None)),
            Val::Tokens(t) => {
                let cells = grid.and_then(|g| square_grid(t.clone(), cls).filter(|c| c.dims()[1] == g * g));
                Ok((pool_tokens(t, cls), cells))
            }
            other => Err(RunError::Internal(format!("probe features of {}", other.kind()))),
        }
    }

    /// What the network or the value gives for `x`, computed for inference, and whether its
    /// tokens lead with a class token; `None` for pixels.
    fn output(&self, x: Tensor<4>) -> Result<Option<(Val, bool)>, RunError> {
        Ok(match self {
            Features::Pixels => None,
            Features::Net(net) => Some((net.output(x)?, net.has_cls())),
            Features::Value(v, w) => Some((v.on(w, x)?, v.cls)),
        })
    }
}

impl Features<'_> {
    /// The side of the grid of dense features on images like `scene`, if there is one.
    pub fn grid(&self, scene: &Scene, device: &Device) -> Result<Option<usize>, RunError> {
        let plain = device.clone().inner();
        let Some(x) = full_images(std::slice::from_ref(scene), &plain).next() else {
            return Ok(None);
        };
        let tokens = match self.output(x?)? {
            Some((Val::Tokens(t), cls)) => square_grid(t, cls),
            _ => None,
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
                let net = weights.named(branch, net)?.valid();
                f(Features::Net(&net))
            }
            Target::Value(v) => f(Features::Value(v, weights)),
        }
    }
}
