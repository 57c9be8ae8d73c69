//! Every recipe in `recipes/` executes on the default device (flex, or libtorch in a `tch`
//! build): on a few small scenes, each takes two steps with finite losses, its periodic jobs
//! included, and its probe network evaluates.

use sslc_compiler::overrides::{Override, apply};
use sslc_runtime::Trainer;

#[test]
fn every_recipe_takes_steps_on_the_default_device() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../recipes");
    let mut recipes: Vec<_> = std::fs::read_dir(dir)
        .expect("recipes/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ssl"))
        .collect();
    recipes.sort();
    assert!(recipes.len() >= 6, "{recipes:?}");
    let small: Vec<Override> = ["data.batch=8", "data.source.count=16", "data.source.holdout=8"]
        .iter()
        .map(|s| Override::parse(s).expect("an override"))
        .collect();
    let device = sslc_runtime::device::default();
    for path in recipes {
        let name = path.display().to_string();
        let src = apply(&std::fs::read_to_string(&path).expect("readable"), &small).expect("overrides apply");
        let compiled = sslc_compiler::compile(&src);
        assert!(!compiled.has_errors(), "{name}: {:?}", compiled.diags);
        let plan = compiled.plan.expect("a plan");
        let mut trainer = Trainer::new(&plan, &device).unwrap_or_else(|e| panic!("{name}: {e}"));
        for _ in 0..2 {
            let info = trainer.step().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(info.loss.is_finite(), "{name}: loss {}", info.loss);
            assert_eq!(info.terms.len(), plan.losses.len(), "{name}");
        }
        let probe = trainer.probe().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(probe.is_some_and(|p| (0.0..=1.0).contains(&p)), "{name}: {probe:?}");
    }
}
