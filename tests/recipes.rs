//! Every recipe in `recipes/` compiles without errors; its graph and plan are snapshotted.
//! A new recipe gets snapshots without new test code.

use sslc_compiler::{compile, diag, graph, plan};

#[test]
fn every_recipe_compiles_and_matches_its_snapshots() {
    insta::glob!("../recipes", "*.ssl", |path| {
        let src = std::fs::read_to_string(path).expect("readable recipe");
        let c = compile(&src);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            !c.has_errors(),
            "{name} has errors:\n{}",
            diag::render_all(&c.diags, &name, &src)
        );
        let plan = c.plan.as_ref().expect("a plan for a recipe without errors");
        let stem = name.trim_end_matches(".ssl");
        insta::assert_snapshot!(format!("{stem}_graph"), graph::to_text(&c.graph));
        insta::assert_snapshot!(format!("{stem}_plan"), plan::to_text(plan));
        // The YAML form is for other tools: it must read back as YAML (no repeated keys).
        let yaml = graph::to_yaml(&c.graph);
        let back: Result<serde_yaml::Value, _> = serde_yaml::from_str(&yaml);
        assert!(back.is_ok(), "{name}'s graph YAML does not read back: {back:?}");
    });
}
