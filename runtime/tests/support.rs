//! The refusal mechanism: every data field the runtime lacks is named once, where it is read.

use sslc_compiler::plan::StepKind;
use sslc_runtime::support;

#[test]
fn a_data_field_outside_the_runtime_is_reported_where_it_is_read() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe");
    let mut plan = sslc_compiler::compile(&src).plan.expect("a plan");
    assert!(support::unsupported(&plan).is_empty(), "the tiny BYOL should run");
    // Every built-in is a type in the plan, which no plan can misname; a data field is still a
    // name.
    let mut spans = vec![];
    for step in &mut plan.steps {
        if let StepKind::Input { field } = &mut step.kind
            && field == "image"
        {
            *field = "depth".into();
            spans.push(step.span);
        }
    }
    assert!(!spans.is_empty(), "the recipe reads images");
    assert_eq!(
        support::unsupported(&plan),
        vec![("depth".to_string(), spans[0])],
        "named once, where it is first read"
    );
    assert_eq!(&src[spans[0].start..spans[0].end], "image");
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
