//! What `check` accepts, `run` runs: recipes that once checked and then failed at their first
//! step take steps and a probe here.

use sslc_runtime::Trainer;

fn trains(file: &str) {
    let path = format!("{}/../tests/run/{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).expect("recipe");
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{file}: {:?}", compiled.diags);
    let plan = compiled.plan.expect("a plan");
    let device = sslc_runtime::device::default();
    let mut t = Trainer::new(&plan, &device).expect("trainer");
    for _ in 0..2 {
        let info = t.step().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(info.loss.is_finite(), "{file}: loss {}", info.loss);
    }
}

#[test]
fn patches_of_tokens_without_a_class_token_keeps_every_token() {
    trains("cls_free_patches.ssl");
}
