//! The refusal mechanism: every built-in the runtime lacks is named once, at its first use.

use sslc_compiler::plan::StepKind;
use sslc_runtime::support;

#[test]
fn an_operator_outside_the_runtime_is_reported_at_its_step() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe");
    let mut plan = sslc_compiler::compile(&src).plan.expect("a plan");
    assert!(support::unsupported(&plan).is_empty(), "the tiny BYOL should run");
    // Make both MLPs (projector and predictor, used by several steps) an architecture no
    // runtime has (ops are types, which no plan can misname).
    let mut spans = vec![];
    for (_, network) in &mut plan.networks {
        if network.config.builtin == "mlp" {
            network.config.builtin = "no_such_net".into();
            spans.push(network.span);
        }
    }
    assert_eq!(spans.len(), 2);
    assert!(
        plan.steps
            .iter()
            .filter(|s| matches!(s.kind, StepKind::Net { .. }))
            .count()
            > 2
    );
    // The first step that runs one of them, in plan order.
    let first = plan
        .steps
        .iter()
        .find_map(|s| match &s.kind {
            StepKind::Net { net, .. } => plan
                .networks
                .iter()
                .find(|(n, w)| n == net && w.config.builtin == "no_such_net")
                .map(|(_, w)| w.span),
            _ => None,
        })
        .expect("a step runs an MLP");
    let refused = support::unsupported(&plan);
    assert_eq!(
        refused,
        vec![("no_such_net".to_string(), first)],
        "named once, at its first use"
    );
    assert!(spans.contains(&first));
    assert_eq!(&src[first.start..first.end], "projector", "the projector runs first");
}

#[test]
fn every_executed_name_is_a_builtin_or_a_data_field() {
    for name in support::executed() {
        let known =
            sslc_compiler::registry::lookup(name).is_some() || ["image", "labels", "boxes", "segments"].contains(&name);
        assert!(known, "the runtime claims `{name}`, which the language does not have");
    }
}

#[test]
fn the_runtime_executes_every_builtin_of_the_language() {
    use sslc_compiler::registry::Category;
    for b in sslc_compiler::registry::all() {
        // Schedules are evaluated by the compiler's values; branches are how weights are kept.
        if matches!(b.category, Category::Schedule | Category::Branch) {
            continue;
        }
        assert!(
            support::executed().any(|e| e == b.name),
            "`{}` ({:?}) is in the language but not executed",
            b.name,
            b.category
        );
    }
}
