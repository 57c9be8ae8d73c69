//! Bad recipes in `tests/ui/`: each states in its header which diagnostic it expects
//! (`# expect: sslc::code`); the rendered diagnostics are snapshotted.

use sslc_compiler::{compile, diag};

#[test]
fn every_bad_recipe_reports_what_its_header_expects() {
    let mut seen = 0;
    insta::glob!("ui", "*.ssl", |path| {
        seen += 1;
        let src = std::fs::read_to_string(path).expect("readable recipe");
        let name = format!(
            "tests/ui/{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let expected: Vec<&str> = src
            .lines()
            .filter_map(|l| l.strip_prefix("# expect:"))
            .flat_map(|l| l.split_whitespace())
            .collect();
        assert!(!expected.is_empty(), "{name} has no `# expect:` header");
        let c = compile(&src);
        let codes: Vec<&str> = c.diags.iter().map(|d| d.code()).collect();
        for e in &expected {
            assert!(codes.contains(e), "{name}: expected {e}, got {codes:?}");
        }
        insta::assert_snapshot!(diag::render_all(&c.diags, &name, &src));
    });
    assert!(seen >= 25, "only {seen} bad recipes in tests/ui");
}
