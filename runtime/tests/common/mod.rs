//! Helpers the runtime's test files share.

use std::sync::OnceLock;

use burn::tensor::{Device, FloatDType};
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

/// The plain device with float64 as its float type, configured once before any tensor exists
/// (a test binary that calls it runs every tensor in float64).
#[allow(dead_code)] // Only the float64 tests call it.
pub fn float64() -> Device {
    static DEVICE: OnceLock<Device> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let mut d = sslc_runtime::device::default();
            d.configure(FloatDType::F64).expect("float64 before any tensor");
            d
        })
        .clone()
}
