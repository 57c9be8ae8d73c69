//! The losses that lightly (an independent library of SSL losses) also implements, computed by
//! sslc in float64 on random projections and on edge cases (two images, large logits, identical
//! views, nearly equal rows): each term of `tests/run/lightly_losses.ssl` with its gradient. With
//! `SSLC_LIGHTLY_OUT=FILE` the cases and sslc's answers are written there as JSON, for
//! `bench/lightly_check.py` to compare with lightly's own losses (CI runs both).

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::{Plan, StepKind, TensorOp};
use sslc_runtime::exec::Program;
use sslc_runtime::exec::ops::Ctx;
use sslc_runtime::rng::Rng;
use sslc_runtime::val::Val;
use sslc_runtime::weights::Weights;

mod common;

/// The width of the projections.
const WIDTH: usize = 8;

/// The slot of `z`, the two-view projection every term reads (through `slice_views` or not).
fn projection(plan: &Plan) -> usize {
    plan.steps
        .iter()
        .find(|s| matches!(s.kind, StepKind::Tensor(TensorOp::SliceViews(_))))
        .expect("a slice_views step")
        .inputs[0]
        .slot
        .0
}

/// A case: its name and the two views `[images][WIDTH]` each.
struct Case {
    name: &'static str,
    z1: Vec<Vec<f64>>,
    z2: Vec<Vec<f64>>,
}

fn cases() -> Vec<Case> {
    let mut rng = Rng::new(11);
    let mut rows = |n: usize, scale: f64| -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| (0..WIDTH).map(|_| scale * rng.normal() as f64).collect())
            .collect()
    };
    let (a, b) = (rows(16, 1.0), rows(16, 1.0));
    let (two_a, two_b) = (rows(2, 1.0), rows(2, 1.0));
    let (large_a, large_b) = (rows(16, 30.0), rows(16, 30.0));
    let same = rows(16, 1.0);
    let base = rows(1, 1.0).remove(0);
    let noise = rows(32, 0.01);
    let near = |k: usize| -> Vec<Vec<f64>> {
        (0..16)
            .map(|i| base.iter().zip(&noise[k * 16 + i]).map(|(b, n)| b + n).collect())
            .collect()
    };
    vec![
        Case {
            name: "random",
            z1: a,
            z2: b,
        },
        Case {
            name: "two images",
            z1: two_a,
            z2: two_b,
        },
        Case {
            name: "large values",
            z1: large_a,
            z2: large_b,
        },
        Case {
            name: "identical views",
            z1: same.clone(),
            z2: same,
        },
        Case {
            name: "nearly equal rows",
            z1: near(0),
            z2: near(1),
        },
    ]
}

#[test]
fn every_term_gives_a_finite_value_and_gradient_on_each_case_for_lightly_to_check() {
    let device = common::float64().autodiff();
    let plan = common::plan("tests/run/lightly_losses.ssl", &[]);
    let program = Program::new(&plan)
        .expect("program")
        .on(&device)
        .expect("on the device");
    let weights = Weights::new(&plan, &device).expect("weights");
    let slot = projection(&plan);
    let ctx = Ctx {
        epoch: 0.0,
        total: 1.0,
        pass: sslc_runtime::nets::Pass::Learn,
    };
    let names: Vec<&str> = plan.losses.iter().map(|l| l.name.as_str()).collect();
    let mut written = vec![];
    for case in cases() {
        let images = case.z1.len();
        // The rows of a two-view value: each image's views consecutively.
        let flat: Vec<f64> = case
            .z1
            .iter()
            .zip(&case.z2)
            .flat_map(|(a, b)| a.iter().chain(b).copied())
            .collect();
        let mut terms = serde_json::Map::new();
        for (k, name) in names.iter().enumerate() {
            // A forward pass per term: terms share parts of the graph, and each backward
            // consumes its own.
            let z = Tensor::<2>::from_data(TensorData::new(flat.clone(), [2 * images, WIDTH]), &device).require_grad();
            let given = vec![(slot, Val::Vectors(z.clone()))];
            let mut losses = program.losses_given(&weights, given, images, ctx).expect("losses");
            let loss = losses
                .swap_remove(k)
                .unwrap_or_else(|| panic!("{}: no value for {name}", case.name));
            let value = loss
                .clone()
                .into_data()
                .convert::<f64>()
                .try_to_vec::<f64>()
                .expect("a value")[0];
            let grad: Vec<f64> = z
                .grad(&loss.backward())
                .map(|g| g.into_data().convert::<f64>().try_to_vec::<f64>().expect("values"))
                .unwrap_or_else(|| vec![0.0; 2 * images * WIDTH]);
            assert!(value.is_finite(), "{}: {name} = {value}", case.name);
            assert!(grad.iter().all(|g| g.is_finite()), "{}: {name}'s gradient", case.name);
            // Back to the two views' own gradients.
            let view = |v: usize| -> Vec<Vec<f64>> {
                (0..images)
                    .map(|i| grad[(2 * i + v) * WIDTH..(2 * i + v + 1) * WIDTH].to_vec())
                    .collect()
            };
            terms.insert(
                name.to_string(),
                serde_json::json!({ "value": value, "grad_z1": view(0), "grad_z2": view(1) }),
            );
        }
        written.push(serde_json::json!({ "name": case.name, "z1": case.z1, "z2": case.z2, "terms": terms }));
    }
    if let Ok(out) = std::env::var("SSLC_LIGHTLY_OUT") {
        std::fs::write(&out, serde_json::to_string(&written).expect("json")).expect("write the cases");
    }
}
