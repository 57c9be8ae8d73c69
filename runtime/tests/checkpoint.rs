//! Checkpoints: what is saved after training comes back bit for bit into freshly built
//! networks (trainable and EMA alike), and a damaged or foreign file is refused by name.

use sslc_compiler::plan::Plan;
use sslc_runtime::RunError;
use sslc_runtime::checkpoint::{self, Checkpoint, Meta};
use sslc_runtime::weights::{Weights, flat_params};
use sslc_runtime::{Trainer, device};

fn recipe() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl");
    std::fs::read_to_string(path).expect("tiny recipe")
}

fn compile(src: &str) -> Plan {
    let compiled = sslc_compiler::compile(src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-ckpt-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("run.ckpt")
}

fn problem(e: RunError) -> String {
    match e {
        RunError::Checkpoint { problem, .. } => problem,
        other => panic!("not a checkpoint error: {other:?}"),
    }
}

#[test]
fn a_checkpoint_restores_every_network_exactly() {
    let src = recipe();
    let plan = compile(&src);
    let dev = device::default();
    let mut t = Trainer::new(&plan, &dev).expect("trainer");
    for _ in 0..2 {
        t.step().expect("step");
    }
    let meta = Meta {
        recipe_file: "tiny_byol.ssl".into(),
        recipe: src.clone(),
        step: t.step,
        epoch: 0.5,
    };
    let path = scratch("restore");
    checkpoint::save(&path, &meta, &t.weights).expect("saved");
    let ckpt = Checkpoint::read(&path).expect("read back");
    assert_eq!(ckpt.meta, meta);
    let mut fresh = Weights::seeded(&plan, &dev.clone().autodiff(), 99).expect("weights");
    let before = flat_params(fresh.get("online", "backbone").unwrap());
    ckpt.restore(&mut fresh).expect("restored");
    for (branch, net) in [
        ("online", "backbone"),
        ("online", "predictor"),
        ("target", "backbone"),
        ("target", "projector"),
    ] {
        let want = flat_params(t.weights.get(branch, net).unwrap());
        assert_eq!(flat_params(fresh.get(branch, net).unwrap()), want, "{branch}.{net}");
    }
    assert_ne!(before, flat_params(fresh.get("online", "backbone").unwrap()));
    // The EMA target had moved away from the online network: both came back as they were.
    assert_ne!(
        flat_params(fresh.get("online", "backbone").unwrap()),
        flat_params(fresh.get("target", "backbone").unwrap())
    );
    // Restored trainable weights still train.
    let mut t2 = Trainer::new(&plan, &dev).expect("trainer");
    t2.weights = fresh;
    assert!(t2.step().expect("a step after restoring").loss.is_finite());
}

#[test]
fn damaged_or_foreign_checkpoints_are_refused_with_the_reason() {
    let src = recipe();
    let plan = compile(&src);
    let dev = device::default();
    let weights = Weights::seeded(&plan, &dev.clone().autodiff(), 1).expect("weights");
    let meta = Meta {
        recipe_file: "tiny_byol.ssl".into(),
        recipe: src.clone(),
        step: 0,
        epoch: 0.0,
    };
    let path = scratch("damaged");
    checkpoint::save(&path, &meta, &weights).expect("saved");
    let bytes = std::fs::read(&path).unwrap();

    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let e = Checkpoint::read(&path).err().expect("a truncated file is refused");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert!(problem(e).contains("truncated"));

    std::fs::write(&path, b"PK\x03\x04 not a checkpoint").unwrap();
    assert!(problem(Checkpoint::read(&path).err().unwrap()).contains("not an sslc checkpoint"));

    let missing = path.with_file_name("missing.ckpt");
    assert!(problem(Checkpoint::read(&missing).err().unwrap()).contains("cannot be read"));

    // A recipe with a wider backbone cannot take these weights.
    std::fs::write(&path, &bytes).unwrap();
    let wider = compile(&src.replace("dim: 16", "dim: 24"));
    let mut other = Weights::new(&wider, &dev.autodiff()).expect("weights");
    let e = problem(Checkpoint::read(&path).unwrap().restore(&mut other).err().unwrap());
    assert!(e.contains("does not match"), "{e}");
}
