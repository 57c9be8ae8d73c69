//! The k-means segment job replaces every training scene's map with at most K clusters of the
//! network's dense features, at the image's resolution.

use burn::tensor::Device;
use sslc_compiler::plan::settings::{KmeansSegments as Declared, SegmentsInit};
use sslc_compiler::plan::{JobKind, NetRef};
use sslc_runtime::Trainer;
use sslc_runtime::jobs::KmeansSegments;

/// A trainer on tiny BYOL and a `kmeans_segments` job on its backbone every 2 epochs.
fn trainer_and_job(k: (f64, f64), init: SegmentsInit) -> (Trainer, KmeansSegments, Device) {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe");
    let plan = sslc_compiler::compile(&src).plan.expect("a plan");
    let device = sslc_runtime::device::default();
    let t = Trainer::new(&plan, &device).expect("trainer");
    let job = JobKind::KmeansSegments(Declared {
        network: NetRef {
            branch: "online".into(),
            net: "backbone".into(),
        },
        every: 2,
        k,
        iters: 10,
        init,
    });
    (t, KmeansSegments::new("refresh", &job), device)
}

#[test]
fn kmeans_refresh_rewrites_every_segment_map() {
    let (mut t, job, device) = trainer_and_job((2.0, 3.0), SegmentsInit::Kmeans);
    assert!(job.due(0) && !job.due(1) && job.due(2));
    let before: Vec<Vec<u8>> = t.data.train.iter().map(|s| s.segments.clone()).collect();
    let data = std::sync::Arc::get_mut(&mut t.data).expect("no loader reads the data yet");
    let note = job.run(&t.weights, &mut data.train, 0, 2, &device).expect("runs");
    assert!(note.contains("refreshed"), "{note}");
    let mut changed = 0;
    for (scene, old) in t.data.train.iter().zip(&before) {
        assert_eq!(scene.segments.len(), scene.image.h * scene.image.w);
        assert!(scene.segments.iter().all(|l| *l < 3), "more clusters than K");
        changed += usize::from(&scene.segments != old);
    }
    assert!(changed > t.data.train.len() / 2, "only {changed} maps changed");
}

#[test]
fn superpixel_initial_maps_replace_the_scenes_own_before_training() {
    let (mut t, job, device) = trainer_and_job((2.0, 4.0), SegmentsInit::Superpixels);
    assert!(job.due(0), "superpixels are computed before the first step");
    let before: Vec<Vec<u8>> = t.data.train.iter().map(|s| s.segments.clone()).collect();
    let data = std::sync::Arc::get_mut(&mut t.data).expect("no loader reads the data yet");
    let note = job.run(&t.weights, &mut data.train, 0, 0, &device).expect("runs");
    assert!(note.contains("superpixels"), "{note}");
    let mut several = 0;
    for (scene, old) in t.data.train.iter().zip(&before) {
        assert_eq!(scene.segments.len(), scene.image.h * scene.image.w);
        assert!(
            scene.segments.iter().all(|l| *l < 4),
            "more superpixels than a 2×2 grid"
        );
        assert_ne!(&scene.segments, old, "a scene kept its own map");
        let labels: std::collections::BTreeSet<u8> = scene.segments.iter().copied().collect();
        several += usize::from(labels.len() >= 2);
    }
    assert_eq!(several, t.data.train.len(), "an image came out as one superpixel");
}
