//! The optimisers a recipe can name: LARS against its update rule on known tensors, and the
//! L2 weight decay of Adam, SGD and LARS seen in the parameters after a step.

use burn::optim::momentum::{Momentum, MomentumConfig};
use burn::optim::{Optimizer, SgdState};
use burn::tensor::{Tensor, TensorData};
use sslc_runtime::Trainer;
use sslc_runtime::optim::Lars;

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[test]
fn lars_scales_matrices_by_the_trust_ratio_and_keeps_momentum() {
    let device = sslc_runtime::device::default();
    let lars = Lars {
        momentum: Momentum::new(&MomentumConfig::new().with_momentum(0.9).with_dampening(0.0)),
        eta: 0.02,
    };
    let (w0, g1, g2) = (
        vec![0.5, -1.0, 2.0, 0.25],
        vec![0.1, 0.3, -0.2, 0.05],
        vec![-0.4, 0.1, 0.2, 0.3],
    );
    let t = |v: &[f64]| Tensor::<2>::from_data(TensorData::new(v.iter().map(|x| *x as f32).collect(), [2, 2]), &device);
    let (lr, m, eta) = (0.5, 0.9, 0.02);
    let (w1, s) = lars.step(lr, t(&w0), t(&g1), None::<SgdState<2>>);
    let (w2, _) = lars.step(lr, w1.clone(), t(&g2), s);
    // The rule in float64.
    let q1 = eta * norm(&w0) / norm(&g1);
    let v1: Vec<f64> = g1.iter().map(|g| q1 * g).collect();
    let want1: Vec<f64> = w0.iter().zip(&v1).map(|(w, v)| w - lr * v).collect();
    let q2 = eta * norm(&want1) / norm(&g2);
    let v2: Vec<f64> = v1.iter().zip(&g2).map(|(v, g)| m * v + q2 * g).collect();
    let want2: Vec<f64> = want1.iter().zip(&v2).map(|(w, v)| w - lr * v).collect();
    for (got, want) in [(w1, want1), (w2, want2)] {
        let got: Vec<f32> = got.try_into_vec_as().expect("weights");
        for (g, w) in got.iter().zip(&want) {
            assert!((*g as f64 - w).abs() < 1e-5, "LARS gave {g}, the rule {w}");
        }
    }
    // A bias is not adapted: plain momentum SGD.
    let b = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 2.0], [2]), &device);
    let gb = Tensor::<1>::from_data(TensorData::new(vec![0.5f32, -0.5], [2]), &device);
    let (b1, _) = lars.step(lr, b, gb, None::<SgdState<1>>);
    assert_eq!(b1.try_into_vec_as::<f32>().expect("bias"), vec![0.75, 2.25]);
    // A matrix of zeros, or a zero gradient: the trust ratio is 1, not a division by zero.
    let zeros = vec![0.0; 4];
    for (w, g) in [(&zeros, &g1), (&w0, &zeros)] {
        let (w1, _) = lars.step(lr, t(w), t(g), None::<SgdState<2>>);
        let got: Vec<f32> = w1.try_into_vec_as().expect("weights");
        let want: Vec<f32> = w.iter().zip(g).map(|(w, g)| (w - lr * g) as f32).collect();
        assert_eq!(got, want);
    }
}

/// A trainer of tiny BYOL with `optimizer` in place of its own.
fn trainer_with(optimizer: &str) -> Trainer {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe")
        .replace(
            "optimizer = adamw(lr: warmup(epochs: 1, then: cosine(1e-3, 1e-5)), weight_decay: 0.05)",
            &format!("optimizer = {optimizer}"),
        );
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    Trainer::new(&compiled.plan.expect("a plan"), &sslc_runtime::device::default()).expect("trainer")
}

/// The patch embedding of the online backbone after one step of tiny BYOL with `optimizer`.
fn embedding_after_a_step(optimizer: &str) -> (Vec<f32>, Vec<f32>) {
    let mut t = trainer_with(optimizer);
    let embed = |t: &Trainer| match t.weights.named("online", "backbone").expect("backbone") {
        sslc_runtime::nets::Net::Vit(v) => v.embed.weight.val().try_into_vec_as::<f32>().expect("weights"),
        _ => panic!("the backbone is a ViT"),
    };
    let before = embed(&t);
    let info = t.step().expect("step");
    assert!(info.loss.is_finite());
    (before, embed(&t))
}

#[test]
fn sgd_and_lars_decay_by_adding_wd_theta_to_the_gradient() {
    // With no momentum history yet, SGD moves by −lr·(g + wd·θ): the runs with and without decay
    // differ by exactly −lr·wd·θ₀.
    let (w0, plain) = embedding_after_a_step("sgd(lr: 0.1, momentum: 0.9, weight_decay: 0)");
    let (_, decayed) = embedding_after_a_step("sgd(lr: 0.1, momentum: 0.9, weight_decay: 0.5)");
    assert_ne!(w0, plain, "SGD did not move the weights");
    for ((w, a), b) in w0.iter().zip(&plain).zip(&decayed) {
        let want = a - 0.1 * 0.5 * w;
        assert!((b - want).abs() < 1e-5, "decayed {b}, rule {want}");
    }
    let (w0, moved) = embedding_after_a_step("lars(lr: 0.2, weight_decay: 1.5e-6)");
    assert_ne!(w0, moved, "LARS did not move the weights");
}

#[test]
fn adam_takes_a_step_of_about_lr_on_every_weight() {
    // Adam's first step is lr·g/(|g| + ε): every weight with a gradient moves by about lr.
    let (w0, w1) = embedding_after_a_step("adam(lr: 0.001)");
    let moved = w0
        .iter()
        .zip(&w1)
        .filter(|(a, b)| ((*a - *b).abs() - 0.001).abs() < 1e-4)
        .count();
    assert!(
        moved * 10 >= w0.len() * 9,
        "{moved} of {} weights moved by lr",
        w0.len()
    );
}

#[test]
fn decay_reaches_linear_and_conv_weights_but_not_tokens_norms_or_held_parameters() {
    use burn::module::ParamId;
    use sslc_runtime::weights::is_decayed;
    let (id, held) = (ParamId::new(), ParamId::new());
    let decayed: Vec<bool> = (1..=4).map(|rank| is_decayed(rank, &id, &[held])).collect();
    // Biases and norms (1), linear weights (2), class and mask tokens (3), conv kernels (4).
    assert_eq!(decayed, [false, true, false, true]);
    assert!(!is_decayed(2, &held, &[held]));
}

/// The flat parameters of each of `nets` before and after one step of tiny BYOL with
/// `optimizer`.
fn params_after_a_step(optimizer: &str, nets: &[(&str, &str)]) -> Vec<(Vec<f32>, Vec<f32>)> {
    let mut t = trainer_with(optimizer);
    let flat = |t: &Trainer| -> Vec<Vec<f32>> {
        nets.iter()
            .map(|(b, n)| sslc_runtime::weights::flat_params(t.weights.named(b, n).expect("a network")))
            .collect()
    };
    let before = flat(&t);
    t.step().expect("step");
    before.into_iter().zip(flat(&t)).collect()
}

#[test]
fn a_network_at_a_fixed_learning_rate_learns_while_the_schedule_is_still_at_zero() {
    // Warm-up from 0: the first step's learning rate is 0, so the backbone and the projector stay
    // put; the predictor trains at the schedule's base value, 0.05, from the first step.
    let nets = [("online", "backbone"), ("online", "projector"), ("online", "predictor")];
    let moved = |optimizer: &str| -> Vec<bool> {
        params_after_a_step(optimizer, &nets)
            .iter()
            .map(|(before, after)| before != after)
            .collect()
    };
    let schedule = "lr: warmup(epochs: 1, then: cosine(0.05, 0.0)), momentum: 0.9";
    assert_eq!(moved(&format!("sgd({schedule})")), [false, false, false]);
    assert_eq!(
        moved(&format!("sgd({schedule}, fixed_lr: [predictor])")),
        [false, false, true]
    );
    // Exactly the step a constant 0.05 takes: the same gradient, the same rule.
    let fixed = params_after_a_step(&format!("sgd({schedule}, fixed_lr: [predictor])"), &nets);
    let constant = params_after_a_step("sgd(lr: 0.05, momentum: 0.9)", &nets);
    assert_eq!(fixed[2].1, constant[2].1);
    // With AdamW, the decoupled decay follows each group's rate too.
    assert_eq!(
        moved("adamw(lr: warmup(epochs: 1, then: cosine(1e-3, 0.0)), weight_decay: 0.5, fixed_lr: [predictor])"),
        [false, false, true]
    );
}

#[test]
fn a_scaled_network_takes_the_step_of_its_scaled_rate_and_the_others_keep_theirs() {
    let nets = [("online", "backbone"), ("online", "projector"), ("online", "predictor")];
    let after = |optimizer: &str| -> Vec<Vec<f32>> {
        params_after_a_step(optimizer, &nets)
            .into_iter()
            .map(|(_, after)| after)
            .collect()
    };
    let slow = after("sgd(lr: 0.05, momentum: 0.9)");
    let fast = after("sgd(lr: 0.1, momentum: 0.9)");
    let scaled = after("sgd(lr: 0.05, momentum: 0.9, lr_scale: [(predictor, 2)])");
    assert_ne!(slow[2], fast[2]);
    assert_eq!(scaled[0], slow[0]);
    assert_eq!(scaled[1], slow[1]);
    assert_eq!(scaled[2], fast[2]);
    // A factor scales the base rate of a `fixed_lr` network too: while warm-up holds the
    // schedule at 0, the predictor takes twice the base value's step.
    let warm = "lr: warmup(epochs: 1, then: cosine(0.05, 0.0)), momentum: 0.9";
    let both = after(&format!(
        "sgd({warm}, fixed_lr: [predictor], lr_scale: [(predictor, 2)])"
    ));
    assert_eq!(both[2], fast[2]);
    assert_eq!(both[0], after(&format!("sgd({warm})"))[0]);
}

/// Each parameter of the online backbone (a ViT) by id, flat, with its layer and the top layer.
fn backbone_by_layer(t: &Trainer) -> (Vec<(usize, Vec<f32>)>, usize) {
    use burn::module::{Module, ModuleVisitor, Param, ParamId};
    use burn::tensor::Tensor;
    let sslc_runtime::nets::Net::Vit(vit) = t.weights.named("online", "backbone").expect("backbone") else {
        panic!("the backbone is a ViT");
    };
    struct Values(Vec<(ParamId, Vec<f32>)>);
    impl ModuleVisitor for Values {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push((param.id, param.val().try_into_vec_as().expect("values")));
        }
    }
    let mut values = Values(vec![]);
    vit.visit(&mut values);
    let (layers, top) = vit.layers();
    let out = values
        .0
        .into_iter()
        .map(|(id, v)| {
            let layer = layers
                .iter()
                .find(|(i, _)| *i == id)
                .expect("every parameter has a layer")
                .1;
            (layer, v)
        })
        .collect();
    (out, top)
}

#[test]
fn layer_decay_scales_each_vit_layer_step_by_decay_to_its_depth_from_the_top() {
    // SGD's first step is −lr·g: with layer decay 0.5, a parameter of layer l moves by
    // 0.5^(top − l) of the step it takes without; the projector and predictor are untouched.
    let run = |optimizer: &str| {
        let mut t = trainer_with(optimizer);
        let (before, top) = backbone_by_layer(&t);
        t.step().expect("step");
        let (after, _) = backbone_by_layer(&t);
        let head = sslc_runtime::weights::flat_params(t.weights.named("online", "predictor").expect("a network"));
        (before, after, top, head)
    };
    let (w0, plain, top, head) = run("sgd(lr: 0.1, momentum: 0.9)");
    let (_, decayed, _, decayed_head) = run("sgd(lr: 0.1, momentum: 0.9, layer_decay: 0.5)");
    assert_eq!(head, decayed_head);
    let mut layers_seen = std::collections::BTreeSet::new();
    for (((layer, w), (_, a)), (_, b)) in w0.iter().zip(&plain).zip(&decayed) {
        layers_seen.insert(*layer);
        let factor = 0.5f32.powi((top - layer) as i32);
        for ((w, a), b) in w.iter().zip(a).zip(b) {
            let want = w + factor * (a - w);
            assert!(
                (b - want).abs() <= 1e-6 + 1e-5 * (a - w).abs(),
                "layer {layer}: {b} vs {want}"
            );
        }
    }
    // The embeddings, every block and the final norm.
    assert_eq!(layers_seen.len(), top + 1);
}
