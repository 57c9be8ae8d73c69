//! The state of a run beyond its weights, kept in the `sslc.`-named tensors of a checkpoint:
//! the optimiser's (burn's optimizer record in its own encoding, as bytes), each stateful
//! step's state (a centre, a queue's memory; flat, under the name `sslc.center.STEP` that the
//! centres had first), and the training images' segment maps once a job has rewritten them.

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use super::Raw;

const OPTIMIZER: &str = "sslc.optimizer";
const CENTER: &str = "sslc.center.";
const SEGMENTS: &str = "sslc.segments";
const LOSS_SCALE: &str = "sslc.loss_scale";

/// What a run needs besides its weights to continue exactly where it stopped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunState {
    /// burn's optimizer record (`OptimizerRecord::into_bytes`).
    pub optimizer: Vec<u8>,
    /// The state of each stateful plan step (a centre, a queue's memory), flat, by step index.
    pub centers: Vec<(usize, Vec<f32>)>,
    /// The segment map of every training image, once a job has rewritten them.
    pub segments: Option<Vec<Vec<u8>>>,
    /// float16 training's loss scale and its run of good steps.
    pub loss_scale: Option<(f32, u32)>,
}

/// A tensor's values as `f32`, if it holds `f32`.
pub(super) fn f32s(t: &TensorView) -> Option<Vec<f32>> {
    (t.dtype() == Dtype::F32).then(|| {
        t.data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    })
}

impl RunState {
    /// The tensors that hold it.
    pub(super) fn tensors(&self) -> Vec<Raw> {
        let mut out = vec![Raw {
            name: OPTIMIZER.into(),
            dtype: Dtype::U8,
            shape: vec![self.optimizer.len()],
            bytes: self.optimizer.clone(),
        }];
        for (step, c) in &self.centers {
            out.push(Raw {
                name: format!("{CENTER}{step}"),
                dtype: Dtype::F32,
                shape: vec![c.len()],
                bytes: c.iter().flat_map(|v| v.to_le_bytes()).collect(),
            });
        }
        if let Some((scale, good)) = self.loss_scale {
            out.push(Raw {
                name: LOSS_SCALE.into(),
                dtype: Dtype::F32,
                shape: vec![2],
                bytes: [scale, good as f32].iter().flat_map(|v| v.to_le_bytes()).collect(),
            });
        }
        if let Some(maps) = &self.segments {
            // Every image of a source has the same size, so every map the same length.
            let len = maps.first().map_or(0, Vec::len);
            out.push(Raw {
                name: SEGMENTS.into(),
                dtype: Dtype::U8,
                shape: vec![maps.len(), len],
                bytes: maps.concat(),
            });
        }
        out
    }

    /// Reads it back; the problem, if the tensors are not what [`RunState::tensors`] wrote.
    pub(super) fn read(file: &SafeTensors) -> Result<RunState, String> {
        let optimizer = file
            .tensor(OPTIMIZER)
            .map_err(|_| format!("has no `{OPTIMIZER}`: it holds weights only and cannot continue a run"))?
            .data()
            .to_vec();
        let mut centers = vec![];
        for (name, t) in file.iter() {
            if let Some(step) = name.strip_prefix(CENTER) {
                let step = step
                    .parse()
                    .map_err(|_| format!("has a malformed tensor name `{name}`"))?;
                centers.push((step, f32s(&t).ok_or_else(|| format!("`{name}` is not f32"))?));
            }
        }
        centers.sort_by_key(|(step, _)| *step);
        let segments = match file.tensor(SEGMENTS) {
            Ok(t) => {
                let (n, len) = match t.shape() {
                    [n, len] => (*n, *len),
                    other => return Err(format!("has `{SEGMENTS}` of shape {other:?}, not [images, pixels]")),
                };
                Some((0..n).map(|i| t.data()[i * len..(i + 1) * len].to_vec()).collect())
            }
            Err(_) => None,
        };
        let loss_scale = match file.tensor(LOSS_SCALE) {
            Ok(t) => match f32s(&t).as_deref() {
                Some([scale, good]) => Some((*scale, *good as u32)),
                _ => return Err(format!("has a malformed `{LOSS_SCALE}`")),
            },
            Err(_) => None,
        };
        Ok(RunState {
            optimizer,
            centers,
            segments,
            loss_scale,
        })
    }
}
