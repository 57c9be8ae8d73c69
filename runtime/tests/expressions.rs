//! Losses written in the tensor algebra equal the built-ins they spell out: Barlow Twins, VICReg
//! and InfoNCE, value and gradient, in float64, on random projections put straight into the
//! recipe's slots. The test binary runs every tensor in float64 (its device is configured
//! before any tensor exists).

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::{Plan, StepKind, TensorOp};
use sslc_runtime::exec::Program;
use sslc_runtime::exec::ops::Ctx;
use sslc_runtime::rng::Rng;
use sslc_runtime::val::Val;
use sslc_runtime::weights::Weights;

mod common;

/// The slots of `z1` and `z2`: the inputs of the built-in Barlow Twins step.
fn projections(plan: &Plan) -> (usize, usize) {
    let step = plan
        .steps
        .iter()
        .find(|s| matches!(s.kind, StepKind::Tensor(TensorOp::BarlowTwins(_))))
        .expect("a barlow_twins step");
    (step.inputs[0].slot.0, step.inputs[1].slot.0)
}

#[test]
fn barlow_twins_vicreg_and_info_nce_as_expressions_equal_the_builtins_in_float64() {
    let device = common::float64().autodiff();
    let plan = common::plan("tests/run/losses_as_expressions.ssl", &[]);
    let program = Program::new(&plan)
        .expect("program")
        .on(&device)
        .expect("on the device");
    let weights = Weights::new(&plan, &device).expect("weights");
    let (s1, s2) = projections(&plan);
    let mut rng = Rng::new(7);
    let (images, width) = (16, 8);
    let mut random = || -> Tensor<2> {
        let v: Vec<f64> = (0..images * width).map(|_| rng.normal() as f64).collect();
        Tensor::from_data(TensorData::new(v, [images, width]), &device).require_grad()
    };
    let (z1, z2) = (random(), random());
    assert_eq!(z1.dtype(), burn::tensor::DType::F64, "the device runs float64");
    let ctx = Ctx {
        epoch: 0.0,
        total: 1.0,
        pass: sslc_runtime::nets::Pass::Learn,
    };
    let given = vec![(s1, Val::Vectors(z1.clone())), (s2, Val::Vectors(z2.clone()))];
    let losses = program.losses_given(&weights, given, images, ctx).expect("losses");
    let names: Vec<&str> = plan.losses.iter().map(|l| l.name.as_str()).collect();
    let value = |name: &str| {
        losses[names.iter().position(|n| *n == name).expect(name)]
            .clone()
            .expect(name)
    };
    for family in ["barlow", "vicreg", "info_nce"] {
        let builtin = value(&format!("{family}_builtin"));
        let expression = value(&format!("{family}_expression"));
        let scalar = |t: &Tensor<1>| -> f64 {
            t.clone()
                .into_data()
                .convert::<f64>()
                .try_to_vec::<f64>()
                .expect("a value")[0]
        };
        let (b, e) = (scalar(&builtin), scalar(&expression));
        assert!(b.is_finite() && b.abs() > 1e-3, "{family}: built-in {b}");
        assert!(
            (b - e).abs() <= 1e-6 * (1.0 + b.abs()),
            "{family}: built-in {b}, expression {e}"
        );
        let (gb, ge) = (builtin.backward(), expression.backward());
        for (side, z) in [("z1", &z1), ("z2", &z2)] {
            let grad = |g| -> Vec<f64> {
                z.grad(g)
                    .expect("a gradient")
                    .into_data()
                    .convert::<f64>()
                    .try_to_vec::<f64>()
                    .expect("values")
            };
            let (want, got) = (grad(&gb), grad(&ge));
            assert!(want.iter().any(|v| v.abs() > 1e-6), "{family}: no gradient into {side}");
            for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                assert!(
                    (w - g).abs() <= 1e-6 * (1.0 + w.abs()),
                    "{family}: ∂/∂{side}[{i}] built-in {w}, expression {g}"
                );
            }
        }
    }
}
