//! The view ops and masks of the plan as the CPU stage runs them: one module per op of the
//! compiler's `view_ops!` list, each implementing [`Run`] on the plan's own struct. The dispatch
//! is generated from the same list, so an op without its module or its `Run` fails to compile.

use sslc_compiler::plan::ViewOp;

use super::{At, Cpu};
use crate::error::RunError;

/// A view op's work on one image.
pub(super) trait Run {
    fn run(&self, at: &mut At) -> Result<Cpu, RunError>;
}

/// Declares each op's module and dispatches the enum to them.
macro_rules! modules {
    ($Enum:ident, $doc:literal; $($(#[$flag:ident])* $name:literal $module:ident $Op:ident { $($field:ident : $ty:ty = $param:expr),* $(,)? }),* $(,)?) => {
        $(mod $module;)*

        impl Run for ViewOp {
            fn run(&self, at: &mut At) -> Result<Cpu, RunError> {
                match self {
                    $(ViewOp::$Op(op) => op.run(at)),*
                }
            }
        }
    };
}

sslc_compiler::view_ops!(modules);
