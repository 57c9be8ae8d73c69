//! Hostile and careless input: every one gets diagnostics that name the file and the problem,
//! once, and thousands of errors are summarised rather than all drawn.

use sslc_compiler::diag::{MAX_RENDERED, render_all};
use sslc_compiler::{compile, diag::Diag};

fn rendered(src: &str) -> (Vec<Diag>, String) {
    let c = compile(src);
    let text = render_all(&c.diags, "hostile.ssl", src);
    (c.diags, text)
}

#[test]
fn an_empty_file_names_the_file_in_every_diagnostic() {
    let (diags, text) = rendered("");
    assert!(!diags.is_empty());
    let messages = text.lines().filter(|l| l.contains('×')).count();
    let named = text
        .lines()
        .filter(|l| l.contains('×') && l.contains("hostile.ssl"))
        .count();
    assert_eq!(messages, diags.len(), "{text}");
    assert_eq!(named, messages, "{text}");
}

#[test]
fn lexical_problems_are_named() {
    for (src, says) in [
        ("view v = image |> flip(p: \"half)\n".to_string(), "unterminated string"),
        ("view v = image | flip(p: 0.5)\n".to_string(), "`|` is not an operator"),
        (
            format!("let a = {}1{}", "(".repeat(10_000), ")".repeat(10_000)),
            "nested more than",
        ),
        (
            format!("let a = x{}", " |> f".repeat(10_000)),
            "split it into several `let`",
        ),
    ] {
        let (_, text) = rendered(&src);
        assert!(text.contains(says), "{says}:\n{text}");
        assert!(text.contains("sslc::lexical"), "{text}");
    }
}

#[test]
fn a_huge_token_is_quoted_once_at_most() {
    let token = "x".repeat(1 << 20);
    let src = format!("view v = image |> flip(p: 0.5) {token}\n");
    let (_, text) = rendered(&src);
    assert!(text.matches(&token).count() <= 1, "the token is printed twice");
    assert!(text.len() < 3 * token.len(), "{} bytes of diagnostics", text.len());
}

#[test]
fn twenty_thousand_errors_are_drawn_up_to_the_cap_and_counted() {
    let mut src = String::from("data {\n  source = scenes(size: 32)\n  batch = 8\n}\n");
    for i in 0..20_000 {
        src.push_str(&format!("let x{i} = undefined_{i}\n"));
    }
    let (diags, text) = rendered(&src);
    assert!(diags.len() >= 20_000, "{}", diags.len());
    let drawn = text.lines().filter(|l| l.trim_start().starts_with('×')).count();
    assert_eq!(drawn, MAX_RENDERED, "{}", &text[..2000]);
    assert!(
        text.contains(&format!("and {} more in hostile.ssl", diags.len() - MAX_RENDERED)),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
}
