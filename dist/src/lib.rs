//! Collectives for data-parallel training on torch.distributed's own engine: c10d's TCPStore
//! rendezvous and its gloo (CPU) and NCCL (CUDA) process groups, reached through a thin C++
//! shim (`shim/c10d.cpp`) built against the libtorch that the `tch` backend links. The one
//! module that says `unsafe` is [`ffi`]; everything else sees [`Group`].
//!
//! Without the `tch` feature the crate is empty: nothing to link, nothing to run.

#[cfg(feature = "tch")]
mod ffi;
#[cfg(feature = "tch")]
mod group;

#[cfg(feature = "tch")]
pub use group::{Backend, Group};
