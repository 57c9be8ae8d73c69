//! The kNN probe's baseline on raw pixels: images that differ only in brightness by class are
//! told apart perfectly, and labels that ignore the pixels are not.

mod common;

use sslc_runtime::data::Image;
use sslc_runtime::data::scenes::{Object, Scene};
use sslc_runtime::eval::knn::Knn;
use sslc_runtime::eval::probed::Target;

/// An 8×8 image of level `v`, with a faint per-image ripple so no two are equal.
fn scene(v: f32, i: usize, class: usize) -> Scene {
    let mut img = Image::new(3, 8, 8);
    for (k, p) in img.data.iter_mut().enumerate() {
        *p = v + 0.01 * ((k * (i + 1)) % 7) as f32;
    }
    let object = Object {
        class,
        bbox: [0.0, 0.0, 8.0, 8.0],
        area: 0,
    };
    Scene::from_instances(img, vec![object], vec![1; 64], 2)
}

fn knn() -> Knn {
    Knn {
        target: std::sync::Arc::new(Target::Net {
            branch: "online".into(),
            net: "backbone".into(),
        }),
        k: 5,
        temperature: 0.07,
        images: 1024,
    }
}

#[test]
fn pixels_separate_classes_that_differ_in_pixels_and_not_others() {
    let device = sslc_runtime::device::default();
    let dark_light = |i: usize| {
        if i.is_multiple_of(2) {
            scene(0.1, i, 0)
        } else {
            scene(0.9, i, 1)
        }
    };
    let bank: Vec<Scene> = (0..20).map(dark_light).collect();
    let queries: Vec<Scene> = (20..30).map(dark_light).collect();
    let acc = knn().run_on_pixels(&bank, &queries, 2, &device).expect("probe");
    assert_eq!(acc, 1.0);
    // The same images with every query's label flipped: pixels now point the wrong way.
    let flipped: Vec<Scene> = (20..30)
        .map(|i: usize| {
            if i.is_multiple_of(2) {
                scene(0.1, i, 1)
            } else {
                scene(0.9, i, 0)
            }
        })
        .collect();
    assert_eq!(knn().run_on_pixels(&bank, &flipped, 2, &device).expect("probe"), 0.0);
}

#[test]
fn a_value_made_of_a_view_and_the_backbone_probes_as_the_backbone_does() {
    // On whole images, `v1 |> online.backbone |> cls` is the backbone's class token, which is
    // what a probe of the network reads: with the same weights, the same features, before and
    // after training. Through the projector, the probe reads other features.
    let sets = |probe: &str| format!("train.probe=knn({probe}, k: 5, images: 96)");
    let plans = [
        common::plan("tests/run/tiny_byol.ssl", &[]),
        common::plan("tests/run/tiny_byol.ssl", &[&sets("v1 |> online.backbone |> cls")]),
        common::plan(
            "tests/run/tiny_byol.ssl",
            &[&sets("v2 |> online.backbone |> cls |> online.projector")],
        ),
    ];
    assert!(plans[0].train.probe_steps.is_empty());
    assert!(!plans[1].train.probe_steps.is_empty());
    let device = sslc_runtime::device::default();
    let mut trainers: Vec<_> = plans
        .iter()
        .map(|p| sslc_runtime::Trainer::new(p, &device).expect("a trainer"))
        .collect();
    let targets: Vec<Target> = plans
        .iter()
        .map(|p| Target::new(p, p.train.probe.as_ref().expect("a probe")).expect("a target"))
        .collect();
    // Each probe's features of the first held-out images, flat.
    let features = |ts: &[sslc_runtime::Trainer]| -> Vec<Vec<f32>> {
        ts.iter()
            .zip(&targets)
            .map(|(t, target)| {
                let scenes = &t.data.holdout[..8];
                let f = target
                    .with(&t.weights, |f| f.global(scenes, &device))
                    .expect("features");
                f.try_into_vec_as::<f32>().expect("values")
            })
            .collect()
    };
    let before = features(&trainers);
    for t in &mut trainers {
        for _ in 0..3 {
            t.step().expect("a step");
        }
    }
    let after = features(&trainers);
    assert_eq!(before[0], before[1]);
    assert_eq!(after[0], after[1]);
    assert_ne!(before[0], after[0], "training moved nothing the probe sees");
    assert_ne!(after[2], after[0], "the projector's output is the backbone's");
    assert!(after[2].iter().all(|v| v.is_finite()));
    // And the kNN probe on them agrees.
    let accuracy = |t: &sslc_runtime::Trainer| t.probe().expect("a probe").expect("declared");
    assert_eq!(accuracy(&trainers[0]), accuracy(&trainers[1]));
}
