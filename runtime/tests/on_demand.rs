//! Generated training scenes too many for memory are made a batch at a time, and train exactly
//! as the same scenes held in memory; the loader's workers and depth change when batches are
//! made, never what they hold.

mod common;

use sslc_runtime::Trainer;
use sslc_runtime::data::Dataset;
use sslc_runtime::loader::Loading;

/// Every step's loss and the final probe.
fn run(mut t: Trainer) -> (Vec<f32>, Option<f64>) {
    let losses = (0..t.total_steps).map(|_| t.step().expect("step").loss).collect();
    (losses, t.probe().expect("probe"))
}

#[test]
fn scenes_made_a_batch_at_a_time_train_as_the_scenes_in_memory() {
    let plan = common::plan("tests/run/tiny_byol.ssl", &["train.epochs=2"]);
    let device = sslc_runtime::device::default();
    let held = Dataset::open(&plan.source).expect("opens");
    let made = Dataset::open_within(&plan.source, 0).expect("opens");
    assert!(held.stream.is_none(), "96 scenes of 16² fit in 2 GiB");
    assert!(made.stream.is_some() && made.train.is_empty());
    assert_eq!((made.len(), made.holdout.len()), (held.len(), held.holdout.len()));
    let some = made.stream.as_ref().unwrap().decode(&[7, 0, 95]).expect("made");
    for (scene, i) in some.iter().zip([7, 0, 95]) {
        assert_eq!(scene.image, held.train[i].image);
        assert_eq!(scene.segments, held.train[i].segments);
        assert_eq!(scene.label, held.train[i].label);
    }
    let bank = made.bank(40).expect("bank");
    assert_eq!(bank.len(), 40);
    assert!(bank.iter().zip(&held.train).all(|(a, b)| a.image == b.image));
    assert_eq!(made.bank(1000).expect("bank").len(), 96, "at most every training scene");

    let a = run(Trainer::on(&plan, held, &device).expect("trainer"));
    let b = run(Trainer::on(&plan, made, &device).expect("trainer"));
    assert_eq!(a.0.len(), 6);
    assert_eq!(a, b, "the same steps and probe, bit for bit");
}

#[test]
fn a_job_that_rewrites_every_scene_gets_them_all_in_memory() {
    let plan = common::plan(
        "recipes/cyborgs.ssl",
        &[
            "data.source.count=64",
            "data.source.holdout=32",
            "data.batch=32",
            "train.epochs=1",
        ],
    );
    let device = sslc_runtime::device::default();
    let made = Dataset::open_within(&plan.source, 0).expect("opens");
    assert!(made.stream.is_some());
    let mut t = Trainer::on(&plan, made, &device).expect("trainer");
    assert!(t.data.stream.is_none());
    assert_eq!(t.data.train.len(), 64);
    let info = t.step().expect("step");
    assert!(info.loss.is_finite());
    assert!(!info.notes.is_empty(), "the job ran before the first step");
}

#[test]
fn workers_and_depth_change_nothing_a_step_sees() {
    let plan = common::plan("tests/run/tiny_byol.ssl", &["train.epochs=3"]);
    let device = sslc_runtime::device::default();
    let with = |workers, depth| {
        let t = Trainer::new(&plan, &device).expect("trainer");
        run(t.with_loading(Loading { workers, depth }))
    };
    let one = with(1, 1);
    assert_eq!(one.0.len(), 9);
    assert_eq!(one, with(3, 5), "three workers, five batches ahead");
    assert_eq!(one, with(2, 64), "more batches ahead than the run has");
}
