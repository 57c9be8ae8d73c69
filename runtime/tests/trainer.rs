//! The trainer on a tiny BYOL: steps are deterministic for a seed, and the EMA target moves by
//! exactly ξ ← m·ξ + (1−m)·θ after each step.

use sslc_compiler::plan::Plan;
use sslc_runtime::Trainer;
use sslc_runtime::weights::flat_params;

fn plan(seed: u64) -> Plan {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl");
    let src = std::fs::read_to_string(path).expect("tiny recipe");
    let src = src.replace("seed = 3", &format!("seed = {seed}"));
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

fn losses(seed: u64, steps: usize) -> (Vec<f32>, Vec<f32>) {
    let device = sslc_runtime::device::default();
    let mut t = Trainer::new(&plan(seed), &device).expect("trainer");
    let losses = (0..steps).map(|_| t.step().expect("step").loss).collect();
    let weights = flat_params(t.weights.named("online", "backbone").expect("online backbone"));
    (losses, weights)
}

#[test]
fn the_same_seed_gives_the_same_steps_bit_for_bit() {
    let (a, wa) = losses(7, 3);
    let (b, wb) = losses(7, 3);
    assert_eq!(a, b);
    assert_eq!(wa, wb);
    let (c, _) = losses(8, 3);
    assert_ne!(a, c, "a different seed changed nothing");
}

#[test]
fn trainers_on_other_threads_do_not_disturb_each_others_randomness() {
    // burn's generator is one per process: a trainer that reseeds it while another builds its
    // networks or steps would change the other's run.
    let alone = losses(7, 3);
    let together: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..4).map(|i| s.spawn(move || losses(7 + i % 2, 3))).collect();
        runs.into_iter().map(|r| r.join().expect("a trainer thread")).collect()
    });
    assert_eq!(together[0], alone);
    assert_eq!(together[2], alone);
    assert_eq!(together[1], together[3]);
}

#[test]
fn the_target_moves_by_the_ema_rule() {
    let device = sslc_runtime::device::default();
    let plan = plan(1);
    let mut t = Trainer::new(&plan, &device).expect("trainer");
    let before = flat_params(t.weights.named("target", "backbone").expect("target"));
    let online_start = flat_params(t.weights.named("online", "backbone").expect("online"));
    assert_eq!(before, online_start, "the target does not start equal to its source");
    t.step().expect("step");
    t.step().expect("step");
    let online = flat_params(t.weights.named("online", "backbone").expect("online"));
    let mid = flat_params(t.weights.named("target", "backbone").expect("target"));
    t.step().expect("step");
    let online3 = flat_params(t.weights.named("online", "backbone").expect("online"));
    let after = flat_params(t.weights.named("target", "backbone").expect("target"));
    assert_ne!(online, online_start, "the online network did not learn");
    // cosine(0.9, 1.0) over 2 epochs of 3 steps, read at the start of step 3 (epoch 2/3).
    let m = 1.0 - 0.1 * 0.5 * (1.0 + (std::f64::consts::PI * (2.0 / 3.0) / 2.0).cos());
    for ((x0, th), x1) in mid.iter().zip(&online3).zip(&after) {
        let want = m * *x0 as f64 + (1.0 - m) * *th as f64;
        assert!((want - *x1 as f64).abs() < 1e-6, "target {x1}, rule says {want}");
    }
}

#[test]
fn a_frozen_patch_embedding_stays_put_while_the_rest_learns() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe")
        .replace("mlp_ratio: 2)", "mlp_ratio: 2, frozen_patch: true)");
    let plan = sslc_compiler::compile(&src).plan.expect("a plan");
    let device = sslc_runtime::device::default();
    let mut t = Trainer::new(&plan, &device).expect("trainer");
    let embed = |t: &Trainer| match t.weights.named("online", "backbone").expect("backbone") {
        sslc_runtime::nets::Net::Vit(v) => v.embed.weight.val().try_into_vec_as::<f32>().expect("weights"),
        _ => panic!("the backbone is a ViT"),
    };
    let (e0, all0) = (
        embed(&t),
        flat_params(t.weights.named("online", "backbone").expect("backbone")),
    );
    t.step().expect("step");
    t.step().expect("step");
    assert_eq!(embed(&t), e0, "the frozen patch embedding moved");
    assert_ne!(
        flat_params(t.weights.named("online", "backbone").expect("backbone")),
        all0
    );
}

#[test]
fn every_step_moves_the_weight_matrices_and_biases() {
    // Adam moves every parameter with a gradient by up to lr (here 6.7e-4 at the third step)
    // each step. A parameter that fell out of the autodiff graph (a replaced bias, a decayed
    // matrix) stops taking updates and moves only by decay (lr·wd·θ, ~1e-6): compare the
    // second and third steps, when decay has already run.
    let device = sslc_runtime::device::default();
    let mut t = Trainer::new(&plan(5), &device).expect("trainer");
    let mut snapshots = vec![];
    for _ in 0..3 {
        t.step().expect("step");
        snapshots.push(flat_params(t.weights.named("online", "predictor").expect("predictor")));
    }
    // The predictor is mlp(hidden: 32, out: 16) on 16-wide inputs: its parameters in visiting
    // order are W₀ [16, 32], b₀ [32], W₁ [32, 16], b₁ [16], then BatchNorm γ, β [32].
    // b₀ feeds BatchNorm, which subtracts every channel's batch mean, so its true gradient is
    // zero: what reaches it is rounding noise that Adam may or may not blow up to a step of lr,
    // depending on the machine's float kernels. It is counted, not judged.
    let parts = [
        ("W0", 512, true),
        ("b0", 32, false),
        ("W1", 512, true),
        ("b1", 16, true),
        ("gamma", 32, true),
        ("beta", 32, true),
    ];
    assert_eq!(snapshots[2].len(), parts.iter().map(|p| p.1).sum::<usize>());
    let mut at = 0;
    for (name, n, judged) in parts {
        let moved = (at..at + n)
            .filter(|i| (snapshots[1][*i] - snapshots[2][*i]).abs() > 1e-5)
            .count();
        assert!(
            !judged || moved as f64 > 0.9 * n as f64,
            "only {moved} of {n} values of {name} moved"
        );
        at += n;
    }
}

/// Rotary positions, registers, a cross-attention predictor, token cross-entropy against
/// Sinkhorn codes of patches and layer-wise decay, together: every trainable network learns and
/// the predictor learns from the visible patches it reads.
#[test]
fn a_cross_attention_predictor_on_a_rope_vit_trains() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_capi.ssl");
    let compiled = sslc_compiler::compile(&std::fs::read_to_string(path).expect("tiny recipe"));
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    let device = sslc_runtime::device::default();
    let mut t = Trainer::new(&compiled.plan.expect("a plan"), &device).expect("trainer");
    let nets = [
        ("student", "encoder"),
        ("student", "predictor"),
        ("student", "head"),
        ("clustering", "clusters"),
    ];
    let params = |t: &Trainer| -> Vec<Vec<f32>> {
        nets.iter()
            .map(|(b, n)| flat_params(t.weights.named(b, n).expect("a network")))
            .collect()
    };
    let before = params(&t);
    for _ in 0..3 {
        let info = t.step().expect("step");
        assert!(info.loss.is_finite(), "loss {}", info.loss);
    }
    for ((net, a), b) in nets.iter().zip(&before).zip(&params(&t)) {
        assert_ne!(a, b, "{net:?} did not move");
    }
}

#[test]
fn steps_read_together_later_are_the_steps_read_one_by_one() {
    let (one_by_one, weights) = losses(7, 3);
    let device = sslc_runtime::device::default();
    let mut t = Trainer::new(&plan(7), &device).expect("trainer");
    for taken in 1..=3 {
        t.advance().expect("step");
        assert_eq!(t.unread(), taken, "a step read its losses");
    }
    let (read, checked) = t.read();
    checked.expect("finite losses");
    assert_eq!(t.unread(), 0);
    assert_eq!(read.iter().map(|i| i.step).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(read.iter().map(|i| i.loss).collect::<Vec<_>>(), one_by_one);
    assert!(read.iter().all(|i| i.terms.len() == 1 && i.terms[0].1 == i.loss));
    let later = flat_params(t.weights.named("online", "backbone").expect("online backbone"));
    assert_eq!(later, weights);
}
