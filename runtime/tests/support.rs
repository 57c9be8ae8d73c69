//! The refusal mechanism: every built-in the runtime lacks is named once, where it is written.

use sslc_compiler::plan::StepKind;
use sslc_runtime::support;

#[test]
fn a_builtin_outside_the_runtime_is_reported_where_it_is_written() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/tiny_byol.ssl"))
        .expect("tiny recipe");
    let mut plan = sslc_compiler::compile(&src).plan.expect("a plan");
    assert!(support::unsupported(&plan).is_empty(), "the tiny BYOL should run");
    // Ops, networks, the optimiser, probes and jobs are types, which no plan can misname; the
    // data source and its fields are still named.
    plan.source.builtin = "no_such_source".into();
    let mut image = None;
    for step in &mut plan.steps {
        if let StepKind::Input { field } = &mut step.kind
            && field == "image"
        {
            *field = "depth".into();
            image.get_or_insert(step.span);
        }
    }
    let image = image.expect("the recipe reads images");
    let source = plan.setting_spans["source"];
    assert_eq!(
        support::unsupported(&plan),
        vec![("depth".to_string(), image), ("no_such_source".to_string(), source),],
        "each named once, where it is written"
    );
    assert_eq!(&src[image.start..image.end], "image");
    assert!(src[source.start..source.end].starts_with("scenes("));
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
