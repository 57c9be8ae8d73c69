//! The plan's view ops and masks, which the runtime's CPU view stage runs: one struct each,
//! holding its input slots and its parameters with their types. The registry's `view_ops!` list
//! is the one place that declares them: the compiler expands it into the structs and the
//! `ViewOp` enum (and the registry's parameter tables), and the runtime into one module per op
//! and an exhaustive dispatch, so a view op the stage lacks fails to compile.

use serde::Serialize;

use super::decode::{Args, Field, Slot};
use crate::value::Param;

crate::view_ops!(define_ops);
