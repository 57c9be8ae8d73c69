//! Putting a checkpoint's weights back into networks built from its recipe, parameter ids
//! included: the optimiser's state is keyed by them.

use std::collections::HashMap;

use burn::store::ModuleSnapshot;
use burn::store::burn_pack::{self, Bytes};
use burn::tensor::DType;
use safetensors::Dtype;

use super::{Checkpoint, NetEntry, homes, param_ids};
use crate::error::RunError;
use crate::nets::Net;
use crate::weights::{Weights, param_shapes};

fn dtype_from(d: Dtype) -> Option<DType> {
    Some(match d {
        Dtype::F64 => DType::F64,
        Dtype::F32 => DType::F32,
        Dtype::F16 => DType::F16,
        Dtype::BF16 => DType::BF16,
        _ => return None,
    })
}

impl Checkpoint {
    /// Replaces every parameter of `weights` (built from this checkpoint's recipe) with the
    /// stored one, and the trainable parameters' ids with the stored ids. Networks and shapes
    /// must match exactly.
    pub fn restore(&self, weights: &mut Weights) -> Result<(), RunError> {
        let tensors = self.tensors()?;
        let shapes = |entry: &NetEntry| -> Result<Vec<Vec<usize>>, RunError> {
            entry
                .tensors
                .iter()
                .map(|p| {
                    tensors
                        .tensor(&format!("{}.{p}", entry.name))
                        .map(|t| t.shape().to_vec())
                        .map_err(|e| self.error(format!("lacks `{}.{p}`: {e}", entry.name)))
                })
                .collect()
        };
        let expected: Vec<(String, String, Vec<Vec<usize>>)> = homes(weights)
            .into_iter()
            .map(|(name, home, net)| (name, home, param_shapes(net)))
            .collect();
        if expected.len() != self.nets.len() {
            return Err(self.error(format!(
                "holds {} networks, but its recipe builds {}",
                self.nets.len(),
                expected.len()
            )));
        }
        for ((name, home, want), entry) in expected.iter().zip(&self.nets) {
            if *home != entry.home || *want != shapes(entry)? || entry.ids.len() != entry.tensors.len() {
                return Err(self.error(format!(
                    "network `{}` ({}) does not match `{name}` ({home}) of its recipe",
                    entry.name, entry.home
                )));
            }
        }
        let pack = |entry: &NetEntry, keep_ids: bool| -> Result<Vec<burn_pack::Tensor>, RunError> {
            entry
                .tensors
                .iter()
                .zip(&entry.ids)
                .map(|(p, id)| {
                    let t = tensors
                        .tensor(&format!("{}.{p}", entry.name))
                        .map_err(|e| self.error(e.to_string()))?;
                    let dtype = dtype_from(t.dtype())
                        .ok_or_else(|| self.error(format!("`{}.{p}` has type {:?}", entry.name, t.dtype())))?;
                    Ok(burn_pack::Tensor::new(
                        p.clone(),
                        dtype,
                        t.shape().to_vec(),
                        keep_ids.then_some(*id),
                        Bytes::from_bytes_vec(t.data().to_vec()),
                    ))
                })
                .collect()
        };
        let mut entries = self.nets.iter();
        let mut renamed = HashMap::new();
        for net in weights.trainable.iter_mut() {
            let entry = entries
                .next()
                .ok_or_else(|| self.error("holds too few networks".into()))?;
            let fresh = param_ids(net);
            self.apply(net, pack(entry, true)?, entry)?;
            renamed.extend(fresh.into_iter().zip(param_ids(net)));
        }
        for e in weights.ema.iter_mut() {
            let entry = entries
                .next()
                .ok_or_else(|| self.error("holds too few networks".into()))?;
            self.apply(&mut e.net, pack(entry, false)?, entry)?;
        }
        for net in weights.frozen.iter_mut() {
            let entry = entries
                .next()
                .ok_or_else(|| self.error("holds too few networks".into()))?;
            self.apply(net, pack(entry, false)?, entry)?;
        }
        for (id, _) in weights.held.iter_mut() {
            if let Some(new) = renamed.get(&id.val()) {
                *id = (*new).into();
            }
        }
        Ok(())
    }

    fn apply(&self, net: &mut Net, tensors: Vec<burn_pack::Tensor>, entry: &NetEntry) -> Result<(), RunError> {
        let result = net.apply(tensors, None, None, true);
        let problem = if let Some(e) = result.errors.first() {
            Some(format!("{e:?}"))
        } else if let Some((path, _)) = result.missing.first() {
            Some(format!("has no value for `{path}`"))
        } else {
            result
                .unused
                .first()
                .map(|path| format!("has `{path}`, which the network lacks"))
        };
        match problem {
            Some(p) => Err(self.error(format!("network `{}`: {p}", entry.name))),
            None => Ok(()),
        }
    }
}
