//! The plan's tensor ops and losses: one struct each, holding its input slots and its
//! parameters with their types. The registry's `tensor_ops!` list is the one place that declares
//! them: the compiler expands it into the structs and the `TensorOp` enum (and the registry's
//! parameter tables), and the runtime into one module per op and an exhaustive dispatch, so an
//! op the runtime lacks fails to compile.

use serde::Serialize;

use super::decode::{Args, Field, Slot};
use crate::value::{Param, Schedule};

choice! {
    /// The axis a reduction or a softmax runs over (the registry's `AXES`).
    Axis {
        Image = "image",
        Batch = "batch",
        Views = "views",
        Tokens = "tokens",
        Features = "features",
        Rows = "rows",
        Cols = "cols",
    }
}

choice! {
    /// Which entries of a row of dot products across the batch are its own: its image's, or
    /// its own.
    Same { Image = "image", Row = "row" }
}

choice! {
    /// Which rows of a two-sided loss meet: the same view on both sides, or every teacher view
    /// with every other student view (DINO's multi-crop pairs).
    Pairs { Matched = "matched", Cross = "cross" }
}

crate::tensor_ops!(define_ops);
