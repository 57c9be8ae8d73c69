//! Checks over the built graph. They report diagnostics and produce a side table: which
//! nodes carry gradient to trainable weights.

mod grad;
mod probes;
mod unused;
mod warnings;

use crate::diag::Diag;
use crate::graph::Graph;

pub use grad::GradTable;

/// Runs every check; returns the gradient side table.
pub fn run(g: &Graph, diags: &mut Vec<Diag>) -> GradTable {
    let table = grad::check(g, diags);
    probes::check(g, diags);
    unused::check(g, diags);
    warnings::check(g, diags);
    table
}
