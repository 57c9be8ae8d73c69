//! Checkpoints: what is saved after training comes back bit for bit into freshly built
//! networks (trainable and EMA alike), and a damaged or foreign file is refused by name.

use sslc_compiler::plan::Plan;
use sslc_runtime::RunError;
use sslc_runtime::checkpoint::{self, Checkpoint, Meta, RunState};
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
    dir.join("run.safetensors")
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
    checkpoint::save(&path, &meta, &t.weights, &t.run_state().unwrap()).expect("saved");
    let ckpt = Checkpoint::read(&path).expect("read back");
    assert_eq!(ckpt.meta, meta);
    let mut fresh = Weights::seeded(&plan, &dev.clone().autodiff(), 99).expect("weights");
    let before = flat_params(fresh.named("online", "backbone").unwrap());
    ckpt.restore(&mut fresh).expect("restored");
    for (branch, net) in [
        ("online", "backbone"),
        ("online", "predictor"),
        ("target", "backbone"),
        ("target", "projector"),
    ] {
        let want = flat_params(t.weights.named(branch, net).unwrap());
        assert_eq!(flat_params(fresh.named(branch, net).unwrap()), want, "{branch}.{net}");
    }
    assert_ne!(before, flat_params(fresh.named("online", "backbone").unwrap()));
    // The EMA target had moved away from the online network: both came back as they were.
    assert_ne!(
        flat_params(fresh.named("online", "backbone").unwrap()),
        flat_params(fresh.named("target", "backbone").unwrap())
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
    checkpoint::save(&path, &meta, &weights, &RunState::default()).expect("saved");
    let bytes = std::fs::read(&path).unwrap();

    // One bit flipped in the last tensor's data: read whole, but not what was written.
    let mut flipped = bytes.clone();
    let at = flipped.len() - 3;
    flipped[at] ^= 0x10;
    std::fs::write(&path, &flipped).unwrap();
    let e = problem(Checkpoint::read(&path).err().expect("a flipped bit is found"));
    assert!(
        e.contains("is damaged: the data of tensor `") && e.contains("checksum"),
        "{e}"
    );

    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let e = Checkpoint::read(&path).err().expect("a truncated file is refused");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert!(problem(e).contains("truncated"));

    std::fs::write(&path, b"PK\x03\x04 not a checkpoint").unwrap();
    assert!(problem(Checkpoint::read(&path).err().unwrap()).contains("not an sslc checkpoint"));

    // A safetensors file of another tool: readable, but not ours.
    let header = br#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let mut foreign = (header.len() as u64).to_le_bytes().to_vec();
    foreign.extend_from_slice(header);
    foreign.extend_from_slice(&1.0f32.to_le_bytes());
    std::fs::write(&path, &foreign).unwrap();
    let e = problem(Checkpoint::read(&path).err().unwrap());
    assert!(e.contains("safetensors file but not an sslc checkpoint"), "{e}");

    // The format of earlier versions is named, not misread.
    std::fs::write(&path, b"sslc-checkpoint 1\n12\n{}").unwrap();
    let e = problem(Checkpoint::read(&path).err().unwrap());
    assert!(e.contains("earlier sslc versions"), "{e}");

    let missing = path.with_file_name("missing.safetensors");
    assert!(problem(Checkpoint::read(&missing).err().unwrap()).contains("cannot be read"));

    // A recipe with a wider backbone cannot take these weights.
    std::fs::write(&path, &bytes).unwrap();
    let wider = compile(&src.replace("dim: 16", "dim: 24"));
    let mut other = Weights::new(&wider, &dev.autodiff()).expect("weights");
    let e = problem(Checkpoint::read(&path).unwrap().restore(&mut other).err().unwrap());
    assert!(e.contains("does not match"), "{e}");
}

#[test]
fn a_run_continued_from_a_checkpoint_takes_the_same_steps_as_one_never_stopped() {
    continues_exactly(&recipe(), "tiny_byol.ssl");
}

#[test]
fn a_resnets_running_statistics_are_saved_and_continue_exactly() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol_resnet.ssl");
    let src = std::fs::read_to_string(path).expect("recipe");
    continues_exactly(&src, "tiny_byol_resnet.ssl");
    let plan = compile(&src);
    let mut t = Trainer::new(&plan, &device::default()).expect("trainer");
    t.step().expect("step");
    let ckpt = scratch("running");
    t.save(&ckpt, "tiny_byol_resnet.ssl", &src).expect("saved");
    let stored = Checkpoint::read(&ckpt).unwrap().network("online.backbone").unwrap();
    let batches = stored
        .iter()
        .find(|p| p.path == "stem.bn.running.batches")
        .expect("the stem's batch count");
    // One step, two calls that train the backbone (one per view).
    assert_eq!(batches.values, [2.0]);
}

#[test]
fn a_queue_outlives_the_checkpoint_and_continues_exactly() {
    // The loss reads the queue, so a run restored without it (a fresh random memory) would
    // take other steps.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_moco.ssl");
    let src = std::fs::read_to_string(path).expect("recipe");
    continues_exactly(&src, "tiny_moco.ssl");
    let plan = compile(&src);
    let mut t = Trainer::new(&plan, &device::default()).expect("trainer");
    t.step().expect("step");
    let ckpt = scratch("queue");
    t.save(&ckpt, "tiny_moco.ssl", &src).expect("saved");
    let state = Checkpoint::read(&ckpt).unwrap().state().unwrap();
    // One queue of 48 keys of width 16.
    assert_eq!(state.centers.len(), 1);
    assert_eq!(state.centers[0].1.len(), 48 * 16);
}

/// A run of `src` stopped after two steps, saved and restored, takes the same three steps as
/// one never stopped, and ends with the same weights.
fn continues_exactly(src: &str, file: &str) {
    let plan = compile(src);
    let dev = device::default();
    let mut whole = Trainer::new(&plan, &dev).expect("trainer");
    let losses: Vec<f32> = (0..5).map(|_| whole.step().expect("step").loss).collect();

    let mut first = Trainer::new(&plan, &dev).expect("trainer");
    for _ in 0..2 {
        first.step().expect("step");
    }
    let path = scratch(&format!("continue-{file}"));
    first.save(&path, file, src).expect("saved");
    drop(first);
    let ckpt = Checkpoint::read(&path).expect("read back");
    assert_eq!(ckpt.meta.step, 2);
    let mut second = Trainer::new(&plan, &dev).expect("trainer");
    second.restore(&ckpt).expect("restored");
    let rest: Vec<f32> = (0..3).map(|_| second.step().expect("step").loss).collect();
    // Bit for bit: AdamW's moments, the step count behind the schedules, the epoch's order and
    // what networks keep besides weights (running statistics) all came back.
    assert_eq!(rest, losses[2..], "{file}");
    for (branch, net) in [("online", "backbone"), ("target", "projector"), ("target", "backbone")] {
        assert_eq!(
            flat_params(second.weights.named(branch, net).unwrap()),
            flat_params(whole.weights.named(branch, net).unwrap()),
            "{file}: {branch}.{net}"
        );
    }
}

#[test]
fn a_checkpoint_names_its_tensors_by_branch_network_and_module_path() {
    let src = recipe();
    let plan = compile(&src);
    let dev = device::default();
    let t = Trainer::new(&plan, &dev).expect("trainer");
    let path = scratch("names");
    t.save(&path, "tiny_byol.ssl", &src).expect("saved");
    let ckpt = Checkpoint::read(&path).expect("read back");
    assert_eq!(
        ckpt.networks(),
        [
            "online.backbone",
            "online.projector",
            "online.predictor",
            "target.backbone",
            "target.projector"
        ]
    );
    let backbone = ckpt.network("online.backbone").expect("the backbone");
    let qkv = backbone
        .iter()
        .find(|p| p.path == "blocks.0.attn.qkv.weight")
        .expect("a named qkv weight");
    // dim 16 in, 3 × 16 out (burn keeps a linear layer's weight as [in, out]).
    assert_eq!(qkv.shape, [16, 48]);
    assert_eq!(qkv.values, flat_params_of(&t, "blocks.0.attn.qkv.weight"));
    let e = problem(ckpt.network("online.head").err().unwrap());
    assert!(
        e.contains("no network `online.head`") && e.contains("online.backbone"),
        "{e}"
    );
}

/// The values of one named parameter of the online backbone, through burn's store.
fn flat_params_of(t: &Trainer, name: &str) -> Vec<f32> {
    use burn::store::ModuleSnapshot;
    let net = t.weights.named("online", "backbone").unwrap();
    let tensor = net
        .collect(None, None, true)
        .into_iter()
        .find(|p| p.name == name)
        .expect("the parameter");
    tensor
        .to_bytes()
        .unwrap()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
