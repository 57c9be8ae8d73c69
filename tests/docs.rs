//! `docs/language.md` documents exactly the compiler's built-ins, with their current reference.

use sslc_compiler::registry;

const DOC: &str = include_str!("../docs/language.md");
const MARKER: &str = "<!-- reference: generated from the registry by `sslc reference`; keep below -->\n";

#[test]
fn every_builtin_is_documented_and_nothing_else() {
    let headings: Vec<&str> = DOC
        .lines()
        .filter_map(|l| l.strip_prefix("### `").and_then(|r| r.strip_suffix('`')))
        .collect();
    for b in registry::all() {
        assert!(headings.contains(&b.name), "docs/language.md lacks `{}`", b.name);
    }
    for h in &headings {
        assert!(
            registry::lookup(h).is_some(),
            "docs/language.md documents `{h}`, which is no built-in"
        );
    }
}

#[test]
fn the_reference_section_matches_the_registry() {
    let (_, reference) = DOC
        .split_once(MARKER)
        .expect("the reference marker in docs/language.md");
    assert_eq!(
        reference,
        registry::reference(),
        "run `sslc reference` and paste its output below the marker"
    );
}

#[test]
fn every_example_in_the_docs_parses() {
    for b in registry::all() {
        assert!(
            sslc_compiler::syntax::parse(b.example).is_ok(),
            "example of `{}` does not parse: {}",
            b.name,
            b.example
        );
    }
}
