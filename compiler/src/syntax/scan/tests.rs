//! Hostile text in, a named lexical problem out: never a stack overflow.

use super::*;

fn problem(src: &str) -> Option<Lexical> {
    match scan(src) {
        Err(Diag::Lexical { problem, .. }) => Some(problem),
        Err(other) => panic!("{other:?}"),
        Ok(()) => None,
    }
}

#[test]
fn strings_comments_and_pipes_are_told_apart() {
    assert_eq!(problem("let a = f(\"x|y(((\") # | ((( \"\nlet b = a |> g"), None);
    assert_eq!(problem("let a = \"open\nlet b = 1"), Some(Lexical::UnterminatedString));
    assert_eq!(problem("let a = \"open"), Some(Lexical::UnterminatedString));
    assert_eq!(
        problem("let a = \"esc \\\" still open"),
        Some(Lexical::UnterminatedString)
    );
    assert_eq!(problem("let a = b | f"), Some(Lexical::LoneBar));
}

#[test]
fn any_depth_of_any_construct_is_refused_by_name() {
    let deep = |open: &str, close: &str, n: usize| format!("let a = {}1{}", open.repeat(n), close.repeat(n));
    assert_eq!(problem(&deep("(", ")", MAX_NESTING)), None);
    for (o, c) in [("(", ")"), ("[", "]"), ("f(", ")")] {
        for n in [MAX_NESTING + 1, 5_000, 100_000] {
            assert_eq!(
                problem(&deep(o, c, n)),
                Some(Lexical::TooDeep { limit: MAX_NESTING }),
                "{o} × {n}"
            );
        }
    }
    for op in ["|> f ", "+ 1 ", "* 2 ", "- "] {
        let src = format!("let a = x {}", op.repeat(20_000));
        assert_eq!(problem(&src), Some(Lexical::TooLong { limit: MAX_TERMS }), "{op}");
    }
    // Many declarations of modest size are fine: the count starts again at each.
    let many = "let a = x |> f |> g + 1\n".repeat(2_000);
    assert_eq!(problem(&many), None);
    // An unclosed bracket is the grammar's to report, not a count over the rest of the file.
    let unclosed = format!("let a = f(1\n{}", "let b = x |> f |> g + 1\n".repeat(2_000));
    assert_eq!(problem(&unclosed), None);
}

#[test]
fn deep_input_compiles_to_a_diagnostic_on_a_small_stack() {
    // Test threads have 2 MiB of stack: the whole pipeline must answer on it.
    for src in [
        format!("let a = {}1{}", "(".repeat(50_000), ")".repeat(50_000)),
        format!("let a = {}x", "-".repeat(50_000)),
        format!("let a = x{}", " |> f".repeat(50_000)),
        format!("let a = x{}", " + y".repeat(50_000)),
        format!("let a = x{}", " + y".repeat(MAX_TERMS - 10)),
        format!("let a = {}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING)),
    ] {
        let c = crate::compile(&src);
        assert!(c.has_errors());
    }
}
