//! Checkpoints: a safetensors file holding every branch's weights under readable names
//! (`online.backbone.blocks.0.attn.qkv.weight`), the recipe they were trained from, and, for a
//! run to continue, the optimiser's state and whatever state the run keeps.
//!
//! The names come from burn's store (`ModuleSnapshot`), the container from the `safetensors`
//! crate (one file for many networks and the run state, which burn's per-module store does not
//! hold). Metadata keys:
//! - `sslc.format`: [`FORMAT`];
//! - `sslc.meta`: [`Meta`] as JSON (recipe file, recipe text, step, epoch);
//! - `sslc.nets`: each network's name, home and tensor names in burn's visiting order;
//! - `sslc.checksums`: each tensor's CRC-32 of its bytes, so that data damaged after it was
//!   written (a flipped bit on disk or in transfer) is found and named on reading.
//!
//! Run state lives in tensors whose names start with `sslc.` (see [`state`]).

pub mod folder;
mod restore;
pub mod state;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use burn::module::{Module, ModuleVisitor, Param};
use burn::store::ModuleSnapshot;
use burn::tensor::{DType, Tensor};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::nets::Net;
use crate::weights::{Home, Weights};
pub use state::RunState;

/// The value of the `sslc.format` metadata key.
pub const FORMAT: &str = "sslc-checkpoint 2";

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

/// One network's entry in `sslc.nets`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct NetEntry {
    /// `branch.net` of the first branch that maps to these weights; its tensors are named
    /// `NAME.PATH`.
    name: String,
    home: String,
    /// Module paths of its parameters, in burn's visiting order.
    tensors: Vec<String>,
    /// burn's parameter ids, in the same order: the optimiser's state is keyed by them.
    ids: Vec<u64>,
}

/// One stored parameter of a network.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// Its path in the network (`blocks.0.attn.qkv.weight`).
    pub path: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// A checkpoint read from disk.
pub struct Checkpoint {
    pub meta: Meta,
    nets: Vec<NetEntry>,
    bytes: Vec<u8>,
    path: String,
}

/// Every network of `weights`, in file order, with a name for its tensors and its home.
fn homes(weights: &Weights) -> Vec<(String, String, &Net)> {
    let name = |home: Home| {
        weights
            .homes()
            .find(|(_, _, h)| *h == home)
            .map(|(b, n, _)| format!("{b}.{n}"))
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

/// A tensor to write: its name, type, shape and little-endian bytes.
pub(crate) struct Raw {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

fn dtype_of(d: DType) -> Option<Dtype> {
    Some(match d {
        DType::F64 => Dtype::F64,
        DType::F32 => Dtype::F32,
        DType::F16 => Dtype::F16,
        DType::BF16 => Dtype::BF16,
        _ => return None,
    })
}

/// Whether every little-endian `f32` in `bytes` is finite.
fn finite(bytes: &[u8]) -> bool {
    bytes
        .chunks_exact(4)
        .all(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]).is_finite())
}

/// The parameter ids of `net`, in visiting order.
pub(crate) fn param_ids(net: &Net) -> Vec<u64> {
    struct Ids(Vec<u64>);
    impl ModuleVisitor for Ids {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.id.val());
        }
    }
    let mut ids = Ids(vec![]);
    net.visit(&mut ids);
    ids.0
}

/// Writes `weights` and `state` with `meta` to `path`: into a temporary file beside it, synced,
/// then renamed into place, so an interrupted save never leaves a half-written checkpoint under
/// the final name.
pub fn save(path: &Path, meta: &Meta, weights: &Weights, state: &RunState) -> Result<(), RunError> {
    let fail = |e: &dyn std::fmt::Display| RunError::Checkpoint {
        path: path.display().to_string(),
        problem: format!("cannot be written: {e}"),
    };
    let mut nets = vec![];
    let mut raws = vec![];
    for (name, home, net) in homes(weights) {
        let mut tensors = vec![];
        for t in net.collect(None, None, true) {
            let dtype = dtype_of(t.dtype).ok_or_else(|| fail(&format!("parameter type {:?}", t.dtype)))?;
            let bytes = t.to_bytes().map_err(|e| fail(&format!("{e:?}")))?;
            if dtype == Dtype::F32 && !finite(&bytes) {
                return Err(fail(&format!(
                    "`{name}.{}` holds values that are not finite, and a checkpoint of them could not continue the run",
                    t.name
                )));
            }
            raws.push(Raw {
                name: format!("{name}.{}", t.name),
                dtype,
                shape: t.shape.to_vec(),
                bytes: bytes.to_vec(),
            });
            tensors.push(t.name.clone());
        }
        let ids = param_ids(net);
        nets.push(NetEntry {
            name,
            home,
            tensors,
            ids,
        });
    }
    raws.extend(state.tensors());
    let checksums: std::collections::BTreeMap<&str, u32> = raws
        .iter()
        .map(|r| (r.name.as_str(), crc32fast::hash(&r.bytes)))
        .collect();
    let metadata = HashMap::from([
        (
            "sslc.checksums".to_string(),
            serde_json::to_string(&checksums).map_err(|e| fail(&e))?,
        ),
        ("sslc.format".to_string(), FORMAT.to_string()),
        (
            "sslc.meta".to_string(),
            serde_json::to_string(meta).map_err(|e| fail(&e))?,
        ),
        (
            "sslc.nets".to_string(),
            serde_json::to_string(&nets).map_err(|e| fail(&e))?,
        ),
    ]);
    let views: Vec<(String, TensorView)> = raws
        .iter()
        .map(|r| {
            TensorView::new(r.dtype, r.shape.clone(), &r.bytes)
                .map(|v| (r.name.clone(), v))
                .map_err(|e| fail(&e))
        })
        .collect::<Result<_, _>>()?;
    let bytes = safetensors::serialize(views, Some(metadata)).map_err(|e| fail(&e))?;
    write_atomically(path, &bytes).map_err(|e| fail(&e))
}

/// Writes `bytes` to `path` through `path.partial`: written, synced, renamed, and the folder
/// synced so the rename itself survives a crash.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = dir {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

impl Checkpoint {
    /// Reads a checkpoint; a missing, truncated, foreign or malformed file is an error naming it.
    pub fn read(path: &Path) -> Result<Checkpoint, RunError> {
        let shown = path.display().to_string();
        let bad = |problem: String| RunError::Checkpoint {
            path: shown.clone(),
            problem,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
        if bytes.starts_with(b"sslc-checkpoint 1") {
            return Err(bad(
                "is in the format of earlier sslc versions (`sslc-checkpoint 1`), which this version no longer reads; \
                 train it again to get a safetensors checkpoint"
                    .into(),
            ));
        }
        let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| {
            bad(format!(
                "is not an sslc checkpoint: it does not read as safetensors ({e}){}",
                if bytes.len() > 8 { "; it may be truncated" } else { "" }
            ))
        })?;
        let metadata = header.metadata().clone().unwrap_or_default();
        match metadata.get("sslc.format") {
            Some(f) if f == FORMAT => {}
            Some(f) => {
                return Err(bad(format!(
                    "is an sslc checkpoint of format `{f}`; this version reads `{FORMAT}`"
                )));
            }
            None => {
                return Err(bad(
                    "is a safetensors file but not an sslc checkpoint (its metadata has no `sslc.format`)".into(),
                ));
            }
        }
        let field = |key: &str| {
            metadata
                .get(key)
                .ok_or_else(|| bad(format!("has no `{key}` in its metadata")))
        };
        let meta: Meta =
            serde_json::from_str(field("sslc.meta")?).map_err(|e| bad(format!("has a malformed `sslc.meta`: {e}")))?;
        let nets: Vec<NetEntry> =
            serde_json::from_str(field("sslc.nets")?).map_err(|e| bad(format!("has a malformed `sslc.nets`: {e}")))?;
        // Every tensor's bytes are where the header says (this is what a truncated file fails).
        let tensors = SafeTensors::deserialize(&bytes).map_err(|e| bad(format!("is damaged or truncated: {e}")))?;
        // And hold what was written (checkpoints of earlier versions carry no checksums).
        if let Some(sums) = metadata.get("sslc.checksums") {
            let sums: std::collections::BTreeMap<String, u32> =
                serde_json::from_str(sums).map_err(|e| bad(format!("has malformed `sslc.checksums`: {e}")))?;
            for (name, sum) in &sums {
                let t = tensors
                    .tensor(name)
                    .map_err(|_| bad(format!("lacks the tensor `{name}` its checksums list")))?;
                if crc32fast::hash(t.data()) != *sum {
                    return Err(bad(format!(
                        "is damaged: the data of tensor `{name}` changed after it was written (its checksum does not match)"
                    )));
                }
            }
        }
        Ok(Checkpoint {
            meta,
            nets,
            bytes,
            path: shown,
        })
    }

    /// Where it was read from, as shown in messages.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn error(&self, problem: String) -> RunError {
        RunError::Checkpoint {
            path: self.path.clone(),
            problem,
        }
    }

    /// The file's tensors (already validated by `read`).
    fn tensors(&self) -> Result<SafeTensors<'_>, RunError> {
        SafeTensors::deserialize(&self.bytes).map_err(|e| self.error(format!("is damaged: {e}")))
    }

    /// Names of the networks it holds (`branch.net`), in file order.
    pub fn networks(&self) -> Vec<&str> {
        self.nets.iter().map(|n| n.name.as_str()).collect()
    }

    /// The parameters of network `name` (`branch.net`): module path, shape and values, in
    /// burn's visiting order.
    pub fn network(&self, name: &str) -> Result<Vec<Stored>, RunError> {
        let entry = self.nets.iter().find(|n| n.name == name).ok_or_else(|| {
            self.error(format!(
                "holds no network `{name}` (it holds {})",
                self.networks().join(", ")
            ))
        })?;
        let tensors = self.tensors()?;
        entry
            .tensors
            .iter()
            .map(|path| {
                let t = tensors
                    .tensor(&format!("{name}.{path}"))
                    .map_err(|e| self.error(format!("lacks `{name}.{path}`: {e}")))?;
                let values = state::f32s(&t).ok_or_else(|| self.error(format!("`{name}.{path}` is not f32")))?;
                Ok(Stored {
                    path: path.clone(),
                    shape: t.shape().to_vec(),
                    values,
                })
            })
            .collect()
    }

    /// The run state saved beside the weights.
    pub fn state(&self) -> Result<RunState, RunError> {
        RunState::read(&self.tensors()?).map_err(|p| self.error(p))
    }
}
