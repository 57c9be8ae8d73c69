//! Every recipe in `recipes/` compiles without errors; its graph and plan are snapshotted.
//! A new recipe gets snapshots without new test code. The twins' own recipes (`bench/recipes/`)
//! compile too.

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

/// The recipes written only for a PyTorch twin (`bench/recipes/`) compile too, so a change to the
/// language cannot leave a twin without its recipe.
#[test]
fn the_twins_own_recipes_compile() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/recipes");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("bench/recipes").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "ssl") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("readable recipe");
        let c = compile(&src);
        let name = path.display().to_string();
        assert!(
            !c.has_errors(),
            "{name} has errors:\n{}",
            diag::render_all(&c.diags, &name, &src)
        );
        seen += 1;
    }
    assert!(seen >= 2, "found {seen} recipes in {dir}");
}
