//! The refusal mechanism: every built-in the runtime lacks is named once, at its first use.

use sslc_compiler::plan::StepKind;
use sslc_runtime::support;

#[test]
fn an_operator_outside_the_runtime_is_reported_at_its_step() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe");
    let mut plan = sslc_compiler::compile(&src).plan.expect("a plan");
    assert!(support::unsupported(&plan).is_empty(), "the tiny BYOL should run");
    // Rename every `flip` step (a view op: tensor ops are types, which no plan can rename) to
    // a built-in no runtime has.
    let mut spans = vec![];
    for step in &mut plan.steps {
        if let StepKind::View { op, .. } = &mut step.kind
            && op == "flip"
        {
            *op = "no_such_op".into();
            spans.push(step.span);
        }
    }
    assert!(spans.len() >= 2);
    let refused = support::unsupported(&plan);
    assert_eq!(
        refused,
        vec![("no_such_op".to_string(), spans[0])],
        "named once, at its first use"
    );
    assert!(src[spans[0].start..spans[0].end].starts_with("flip"));
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
