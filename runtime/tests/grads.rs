//! `Trainer::grads`: each loss term's gradient norm for each trainable network on the next
//! batch; a term that reaches a network and sends it none is dead; measuring changes nothing.

mod common;

use sslc_compiler::plan::Plan;
use sslc_runtime::Trainer;

fn trainer(plan: &Plan) -> Trainer {
    Trainer::new(plan, &sslc_runtime::device::default()).expect("trainer")
}

#[test]
fn a_term_whose_predictions_ignore_the_encoder_sends_it_no_gradient() {
    let report = trainer(&common::plan("tests/run/dead_mim.ssl", &[]))
        .grads()
        .expect("grads");
    let nets: Vec<String> = report.nets.iter().map(|(b, n)| format!("{b}.{n}")).collect();
    assert_eq!(
        nets,
        [
            "online.backbone",
            "online.classifier",
            "online.unmask",
            "online.decoder"
        ]
    );
    let mim = report.terms.iter().find(|t| t.term == "mim").expect("mim");
    assert_eq!(mim.norms[0], Some(0.0), "the backbone gets exactly nothing");
    assert_eq!(mim.norms[1], None, "mim does not reach the classifier");
    assert!(mim.norms[2].is_some_and(|n| n > 0.0) && mim.norms[3].is_some_and(|n| n > 0.0));
    assert_eq!(
        report.dead(),
        [("mim".to_string(), "online".to_string(), "backbone".to_string())]
    );
}

#[test]
fn with_a_mask_token_in_the_encoder_every_term_teaches_the_backbone() {
    let report = trainer(&common::plan(
        "recipes/hybrid.ssl",
        &["data.source.count=64", "data.batch=16"],
    ))
    .grads()
    .expect("grads");
    assert!(report.dead().is_empty(), "{:?}", report.dead());
    let backbone = report
        .nets
        .iter()
        .position(|(b, n)| b == "online" && n == "backbone")
        .expect("backbone");
    for t in &report.terms {
        assert!(t.norms[backbone].is_some_and(|n| n > 1e-3), "{}: {:?}", t.term, t.norms);
    }
}

#[test]
fn measuring_changes_neither_the_weights_the_centres_nor_the_batches() {
    // DINO's centring keeps state across steps: a term with a centre, measured before each step.
    let path = format!("{}/../tests/run/tiny_byol.ssl", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(path).expect("recipe").replace(
        "loss byol = neg_cosine(p1, sg(t2))",
        "loss byol = soft_ce(p1, sg(t2), center: 0.9)",
    );
    assert!(src.contains("center: 0.9"));
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    let p = compiled.plan.expect("a plan");
    let steps = trainer(&p).total_steps as usize;
    assert_eq!(measured(&p, steps, false), measured(&p, steps, true));
}

/// The losses of `steps` steps of `plan`, measuring the gradients before each when `measure`,
/// and the online backbone's parameters after them.
fn measured(plan: &Plan, steps: usize, measure: bool) -> (Vec<f32>, Vec<f32>) {
    let mut t = trainer(plan);
    let mut losses = vec![];
    for _ in 0..steps {
        if measure {
            t.grads().expect("grads");
        }
        losses.push(t.step().expect("step").loss);
    }
    let net = t.weights.named("online", "backbone").expect("backbone");
    (losses, sslc_runtime::weights::flat_params(net))
}

#[test]
fn measuring_leaves_a_resnets_running_statistics_alone() {
    let p = common::plan("tests/run/tiny_byol_resnet.ssl", &[]);
    assert_eq!(measured(&p, 3, false), measured(&p, 3, true));
}

#[test]
fn measuring_leaves_a_queue_as_it_was() {
    let p = common::plan("tests/run/tiny_moco.ssl", &[]);
    assert_eq!(measured(&p, 4, false), measured(&p, 4, true));
}

/// The recipe of `file` with its loss declarations (one line each) in reverse order.
fn losses_reversed(file: &str, sets: &[&str]) -> Plan {
    let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(path).expect("recipe");
    let mut lines: Vec<&str> = src.lines().collect();
    let at: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].starts_with("loss ")).collect();
    assert!(at.len() >= 2, "{file} has one loss line");
    let reversed: Vec<&str> = at.iter().rev().map(|i| lines[*i]).collect();
    for (i, line) in at.iter().zip(reversed) {
        lines[*i] = line;
    }
    let sets: Vec<_> = sets
        .iter()
        .map(|s| sslc_compiler::overrides::Override::parse(s).expect("override"))
        .collect();
    let src = sslc_compiler::overrides::apply(&lines.join("\n"), &sets).expect("overrides apply");
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

/// Each term's norms by term name.
fn table(plan: &Plan) -> std::collections::BTreeMap<String, Vec<Option<f64>>> {
    let report = trainer(plan).grads().expect("grads");
    report.terms.into_iter().map(|t| (t.term, t.norms)).collect()
}

#[test]
fn every_term_sees_the_state_the_step_sees_whatever_the_order_of_the_loss_lines() {
    // iBOT: two centres that both terms' passes move; NNCLR: a queue both terms read.
    let cases: [(&str, &[&str]); 2] = [
        ("recipes/ibot.ssl", &["data.source.count=64", "data.batch=16"]),
        ("tests/run/tiny_nnclr.ssl", &[]),
    ];
    for (file, sets) in cases {
        let as_written = table(&common::plan(file, sets));
        let reversed = table(&losses_reversed(file, sets));
        assert_eq!(as_written.len(), 2, "{file}");
        for (term, norms) in &as_written {
            let other = &reversed[term];
            for (a, b) in norms.iter().zip(other) {
                let (a, b) = (a.expect("reached"), b.expect("reached"));
                assert!(a > 0.0, "{file}: `{term}` sends nothing");
                assert!(
                    (a - b).abs() <= 1e-5 * a,
                    "{file}: `{term}` {a} as written, {b} reversed"
                );
            }
        }
    }
}
