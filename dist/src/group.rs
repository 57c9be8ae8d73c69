//! A process group: this rank among `size`, and the collectives over `tch` tensors.

use tch::Tensor;

use crate::ffi;

/// Which of c10d's engines moves the tensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// gloo, over TCP: tensors on the CPU.
    Gloo,
    /// NCCL: tensors on CUDA devices, one per rank.
    Nccl,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Gloo => "gloo",
            Backend::Nccl => "nccl",
        }
    }
}

/// This process's place in a group of ranks, with c10d's store and process group.
#[derive(Debug)]
pub struct Group {
    raw: ffi::Raw,
    pub rank: usize,
    pub size: usize,
    pub backend: Backend,
}

impl Group {
    /// Joins the group whose store rank 0 hosts at `host:port` (rank 0 starts it), waiting up
    /// to `timeout` for every rank, which then also bounds each collective.
    pub fn join(
        backend: Backend,
        host: &str,
        port: u16,
        rank: usize,
        size: usize,
        timeout: std::time::Duration,
    ) -> Result<Group, String> {
        Group::join_store(backend, (host, port, false), rank, size, timeout)
    }

    /// As [`Group::join`], at the store of `(host, port, hosted)`: with `hosted`, a launcher's
    /// agent already runs it (torchrun's), and rank 0 joins it as every rank does.
    pub fn join_store(
        backend: Backend,
        (host, port, hosted): (&str, u16, bool),
        rank: usize,
        size: usize,
        timeout: std::time::Duration,
    ) -> Result<Group, String> {
        let raw = ffi::new(
            backend.name(),
            host,
            port,
            (rank, size, hosted),
            timeout.as_millis() as u64,
        )?;
        Ok(Group {
            raw,
            rank,
            size,
            backend,
        })
    }

    /// `t` summed over the ranks, in place.
    pub fn all_reduce_sum(&self, t: &Tensor) -> Result<(), String> {
        ffi::all_reduce_sum(&self.raw, t)
    }

    /// Every rank's `t` stacked along the first axis, in rank order: `size` times its rows.
    pub fn all_gather(&self, t: &Tensor) -> Result<Tensor, String> {
        let t = t.contiguous();
        let mut shape = t.size();
        if let Some(rows) = shape.first_mut() {
            *rows *= self.size as i64;
        }
        let out = Tensor::empty(shape.as_slice(), (t.kind(), t.device()));
        ffi::all_gather(&self.raw, &t, &out)?;
        Ok(out)
    }

    /// Rank `root`'s `t` on every rank, in place.
    pub fn broadcast(&self, t: &Tensor, root: usize) -> Result<(), String> {
        ffi::broadcast(&self.raw, t, root)
    }

    /// Waits until every rank has come here.
    pub fn barrier(&self) -> Result<(), String> {
        ffi::barrier(&self.raw)
    }

    /// Sets `key` in the group's store (visible to every rank).
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        ffi::store_set(&self.raw, key, value)
    }

    /// Whether every key is in the store now.
    pub fn has(&self, keys: &[&str]) -> Result<bool, String> {
        ffi::store_check(&self.raw, keys)
    }

    /// The value of `key`, waiting for it up to the group's timeout.
    pub fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        ffi::store_get(&self.raw, key)
    }
}
