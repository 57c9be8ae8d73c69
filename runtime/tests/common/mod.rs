//! Helpers the runtime's test files share.

use sslc_compiler::overrides::{Override, apply};
use sslc_compiler::plan::Plan;

/// The plan of `file` (relative to the repository) with `sets` applied as `--set` would.
pub fn plan(file: &str, sets: &[&str]) -> Plan {
    let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).expect("recipe");
    let sets: Vec<Override> = sets.iter().map(|s| Override::parse(s).expect("an override")).collect();
    let compiled = sslc_compiler::compile(&apply(&src, &sets).expect("overrides apply"));
    assert!(!compiled.has_errors(), "{file}: {:?}", compiled.diags);
    compiled.plan.expect("a plan")
}
