//! The one declaration of every tensor op, loss, view op, mask, network and setting (optimiser,
//! probe, job, data source): its name, its runtime module, the plan's struct, its marks, and
//! each field with its Rust type and its parameter (kind, default, range, documentation) in the
//! order a call gives them. The compiler expands the lists into the parameter tables here and
//! the plan's structs and enums; the runtime expands the op lists into one module per op and an
//! exhaustive dispatch. The registry's entry for a built-in adds only its documentation, shape
//! rule and example.

mod algebra;
mod losses;
mod nets;
mod ops;
mod settings;
mod views;

#[allow(unused_imports)] // Each list entry names the pieces it uses.
use super::spec::*;
use super::{Limit, PTy, Param};

/// Calls `$then! { Enum, "doc"; "name" module Struct { field: Type = parameter, ... }, ... }`
/// with every tensor op and loss of the language. A field of type `Slot` is an input; the others
/// are parameters, named as in the recipe; `parameter` declares what a recipe may give it (the
/// field's name is its name). `#[no_grad]` marks an op whose output carries no gradient (the
/// gradient check reads it), `#[stateful]` one that keeps state across steps (the probe check
/// reads it), `#[batch]` one that couples the images of a batch (negatives, statistics,
/// balancing, state made from the whole batch), which across ranks sees every rank's images; a
/// reduction or softmax `over: "batch"` couples them too. The list runs through three files
/// (ops on values, losses, algebra), one macro each. Adding a built-in adds one entry there,
/// its registry entry and its runtime file.
#[macro_export]
macro_rules! tensor_ops {
    ($then:ident) => {
        $crate::tensor_ops_values! { $then; }
    };
}

/// Makes, for each op of a list, the table of its parameters, named after its struct.
macro_rules! params_of {
    ($Enum:ident, $doc:literal; $($(#[$flag:ident])* $name:literal $module:ident $Op:ident { $($field:ident : $ty:ty = $param:expr),* $(,)? }),* $(,)?) => {
        $(
            #[doc = concat!("The parameters of `", $name, "`, in the order a call gives them.")]
            #[allow(non_upper_case_globals)]
            pub(super) const $Op: &[Param] = &[$(Param { name: stringify!($field), ..$param }),*];
        )*
    };
}

crate::tensor_ops!(params_of);
crate::view_ops!(params_of);
crate::net_kinds!(params_of);
crate::optimizer_kinds!(params_of);
crate::probe_kinds!(params_of);
crate::job_kinds!(params_of);
crate::source_kinds!(params_of);
