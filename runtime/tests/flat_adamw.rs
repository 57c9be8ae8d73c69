//! AdamW over one flat buffer against burn's per-parameter AdamW: the same steps bit for bit,
//! also where parameters differ in rate (layer-wise decay), where a parameter is held and then
//! joins with a step count of its own (DINO's last layer), and with each gradient clipped; and a
//! checkpoint holding burn's record continues as burn's optimiser would.

use sslc_compiler::plan::Plan;
use sslc_runtime::Trainer;
use sslc_runtime::checkpoint::{self, Checkpoint, Meta};
use sslc_runtime::weights::flat_params;

/// The tests' tiny BYOL with a DINO head on the online side (its last layer held for the first
/// of 2 epochs), layer-wise decay and clipping: 3 steps an epoch.
fn plan() -> Plan {
    plan_with("weight_decay: 0.05, layer_decay: 0.75, clip: 0.5)")
}

/// The same with optimiser settings `settings` after the learning rate.
fn plan_with(settings: &str) -> Plan {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe")
        .replace(
            "network predictor = mlp(hidden: 32, out: 16)",
            "network predictor = mlp(hidden: 32, out: 16)\nnetwork head = dino_head(hidden: 32, bottleneck: 8, prototypes: 16, freeze_last_epochs: 1)",
        )
        .replace("trainable(backbone, projector, predictor)", "trainable(backbone, projector, predictor, head)")
        .replace(
            "loss byol = neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1))",
            "loss byol = neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1))\nloss spread = soft_ce(v1 |> online.backbone |> cls |> online.head, sg(t1 |> online.head))",
        )
        .replace("weight_decay: 0.05)", settings);
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

fn weights(t: &Trainer) -> Vec<Vec<f32>> {
    t.weights.trainable.iter().map(flat_params).collect()
}

#[test]
fn the_flat_adamw_takes_burns_steps_bit_for_bit() {
    same_steps(&plan());
}

#[test]
fn at_one_rate_for_every_parameter_too() {
    // Every decayed parameter shares one factor: the decay runs under a mask, not per element.
    same_steps(&plan_with("weight_decay: 0.05, clip: 0.5)"));
}

/// Six steps of the flat AdamW and of burn's from the same start are the same bits.
fn same_steps(plan: &Plan) {
    let plan = plan.clone();
    let dev = sslc_runtime::device::default();
    let mut flat = Trainer::new(&plan, &dev).expect("trainer");
    let mut burn = Trainer::new(&plan, &dev).expect("trainer").per_parameter_optimiser();
    assert_eq!(weights(&flat), weights(&burn), "the same start");
    for step in 1..=6 {
        let (a, b) = (flat.step().expect("step"), burn.step().expect("step"));
        assert_eq!(a.terms, b.terms, "step {step}");
        assert_eq!(weights(&flat), weights(&burn), "after step {step}");
    }
}

#[test]
fn a_checkpoint_with_burns_optimiser_record_continues_as_burns_optimiser() {
    let plan = plan();
    let dev = sslc_runtime::device::default();
    let mut whole = Trainer::new(&plan, &dev).expect("trainer").per_parameter_optimiser();
    let mut first = Trainer::new(&plan, &dev).expect("trainer").per_parameter_optimiser();
    for _ in 0..2 {
        whole.step().expect("step");
        first.step().expect("step");
    }
    let path = std::env::temp_dir().join(format!("sslc-flat-adamw-{}.safetensors", std::process::id()));
    let meta = Meta {
        recipe_file: "tiny.ssl".into(),
        recipe: String::new(),
        step: first.step,
        epoch: 0.0,
    };
    checkpoint::save(&path, &meta, &first.weights, &first.run_state().expect("state")).expect("saved");
    let mut second = Trainer::new(&plan, &dev).expect("trainer");
    second
        .restore(&Checkpoint::read(&path).expect("read back"))
        .expect("restored");
    let _ = std::fs::remove_file(&path);
    for step in 3..=5 {
        let (a, b) = (whole.step().expect("step"), second.step().expect("step"));
        assert_eq!(a.terms, b.terms, "step {step}");
        assert_eq!(weights(&whole), weights(&second), "after step {step}");
    }
}
