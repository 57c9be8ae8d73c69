//! Checkpoints: every branch's weights with the recipe text they were trained from, so a
//! checkpoint alone is enough to rebuild the networks and evaluate them.
//!
//! The file is a first line `sslc-checkpoint 1`, a line with the byte length of a JSON header,
//! the header (recipe, step, and each network's parameter shapes), then every parameter as
//! little-endian `f32`, networks in header order, parameters in visiting order.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::nets::Net;
use crate::weights::{Home, Weights, param_shapes, remake, shaped_params};

const MAGIC: &str = "sslc-checkpoint 1";

/// What a checkpoint says besides its numbers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    /// The recipe file the run was started from, as given.
    pub recipe_file: String,
    /// The recipe text that was compiled (overrides already applied).
    pub recipe: String,
    /// Optimisation steps taken.
    pub step: u64,
    /// Epochs completed (fractional).
    pub epoch: f64,
}

#[derive(Serialize, Deserialize)]
struct Header {
    meta: Meta,
    nets: Vec<NetEntry>,
}

#[derive(Serialize, Deserialize)]
struct NetEntry {
    /// `branch.net` of the first branch that maps to these weights.
    name: String,
    home: String,
    shapes: Vec<Vec<usize>>,
}

/// A checkpoint read from disk.
pub struct Checkpoint {
    pub meta: Meta,
    nets: Vec<NetEntry>,
    values: Vec<f32>,
    path: String,
}

/// Every network of `weights`, in file order, with its `home` label and a name for messages.
fn homes(weights: &Weights) -> Vec<(String, String, &Net)> {
    let name = |home: Home| {
        weights
            .index
            .iter()
            .find(|(_, h)| **h == home)
            .map(|((b, n), _)| format!("{b}.{n}"))
            .unwrap_or_default()
    };
    let mut out = vec![];
    for (i, n) in weights.trainable.iter().enumerate() {
        out.push((name(Home::Trainable(i)), format!("trainable {i}"), n));
    }
    for (i, e) in weights.ema.iter().enumerate() {
        out.push((name(Home::Ema(i)), format!("ema {i}"), &e.net));
    }
    for (i, n) in weights.frozen.iter().enumerate() {
        out.push((name(Home::Frozen(i)), format!("frozen {i}"), n));
    }
    out
}

/// Writes `weights` with `meta` to `path`, through a temporary file renamed into place, so an
/// interrupted save never leaves a half-written checkpoint under the final name.
pub fn save(path: &Path, meta: &Meta, weights: &Weights) -> Result<(), RunError> {
    let fail = |e: &dyn std::fmt::Display| RunError::Checkpoint {
        path: path.display().to_string(),
        problem: format!("cannot be written: {e}"),
    };
    let mut nets = vec![];
    let mut values: Vec<f32> = vec![];
    for (name, home, net) in homes(weights) {
        let (shapes, flat) = shaped_params(net).map_err(|e| fail(&e))?;
        values.extend(flat);
        nets.push(NetEntry { name, home, shapes });
    }
    let header = serde_json::to_string(&Header {
        meta: meta.clone(),
        nets,
    })
    .map_err(|e| fail(&e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    let tmp = path.with_extension("partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(|e| fail(&e))?);
    writeln!(out, "{MAGIC}\n{}", header.len()).map_err(|e| fail(&e))?;
    out.write_all(header.as_bytes()).map_err(|e| fail(&e))?;
    for v in values {
        out.write_all(&v.to_le_bytes()).map_err(|e| fail(&e))?;
    }
    out.into_inner()
        .map_err(|e| fail(&e))?
        .sync_all()
        .map_err(|e| fail(&e))?;
    std::fs::rename(&tmp, path).map_err(|e| fail(&e))
}

impl Checkpoint {
    /// Reads a checkpoint; a missing, truncated or malformed file is an error naming it.
    pub fn read(path: &Path) -> Result<Checkpoint, RunError> {
        let shown = path.display().to_string();
        let bad = |problem: String| RunError::Checkpoint {
            path: shown.clone(),
            problem,
        };
        let file = std::fs::File::open(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
        let mut r = BufReader::new(file);
        let mut line = String::new();
        r.read_line(&mut line)
            .map_err(|e| bad(format!("cannot be read: {e}")))?;
        if line.trim_end() != MAGIC {
            return Err(bad(format!(
                "is not an sslc checkpoint (it should start with `{MAGIC}`)"
            )));
        }
        line.clear();
        r.read_line(&mut line)
            .map_err(|e| bad(format!("cannot be read: {e}")))?;
        let len: usize = line
            .trim_end()
            .parse()
            .map_err(|_| bad(format!("has a malformed header length `{}`", line.trim_end())))?;
        let mut header = vec![0u8; len];
        r.read_exact(&mut header)
            .map_err(|_| bad("is truncated inside its header".into()))?;
        let header: Header =
            serde_json::from_slice(&header).map_err(|e| bad(format!("has a malformed header: {e}")))?;
        let expected: usize = header
            .nets
            .iter()
            .flat_map(|n| &n.shapes)
            .map(|s| s.iter().product::<usize>())
            .sum();
        let mut bytes = vec![];
        r.read_to_end(&mut bytes)
            .map_err(|e| bad(format!("cannot be read: {e}")))?;
        if bytes.len() != expected * 4 {
            return Err(bad(format!(
                "holds {} bytes of parameters where its header declares {} values ({} bytes){}",
                bytes.len(),
                expected,
                expected * 4,
                if bytes.len() < expected * 4 {
                    "; it is truncated"
                } else {
                    ""
                }
            )));
        }
        let values = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Checkpoint {
            meta: header.meta,
            nets: header.nets,
            values,
            path: shown,
        })
    }

    /// Replaces every parameter of `weights` (built from this checkpoint's recipe) with the
    /// stored one. Networks and shapes must match exactly.
    pub fn restore(&self, weights: &mut Weights) -> Result<(), RunError> {
        let bad = |problem: String| RunError::Checkpoint {
            path: self.path.clone(),
            problem,
        };
        let expected: Vec<(String, String, Vec<Vec<usize>>)> = homes(weights)
            .into_iter()
            .map(|(name, home, net)| (name, home, param_shapes(net)))
            .collect();
        if expected.len() != self.nets.len() {
            return Err(bad(format!(
                "holds {} networks, but its recipe builds {}",
                self.nets.len(),
                expected.len()
            )));
        }
        for ((name, home, shapes), entry) in expected.iter().zip(&self.nets) {
            if *home != entry.home || *shapes != entry.shapes {
                return Err(bad(format!(
                    "network `{}` ({}) does not match `{name}` ({home}) of its recipe",
                    entry.name, entry.home
                )));
            }
        }
        let mut load = Load {
            values: &self.values,
            at: 0,
        };
        let trainable = std::mem::take(&mut weights.trainable);
        weights.trainable = trainable.into_iter().map(|n| n.map(&mut load)).collect();
        let ema = std::mem::take(&mut weights.ema);
        weights.ema = ema
            .into_iter()
            .map(|mut e| {
                e.net = e.net.map(&mut load);
                e
            })
            .collect();
        let frozen = std::mem::take(&mut weights.frozen);
        weights.frozen = frozen.into_iter().map(|n| n.map(&mut load)).collect();
        Ok(())
    }
}

/// Replaces each float parameter with the next stored values (shapes already checked).
struct Load<'a> {
    values: &'a [f32],
    at: usize,
}

impl ModuleMapper for Load<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        remake(param, |t| {
            let dims = t.dims();
            let n: usize = dims.iter().product();
            let data = TensorData::new(self.values[self.at..self.at + n].to_vec(), dims);
            self.at += n;
            Tensor::from_data(data, &t.device())
        })
    }
}
