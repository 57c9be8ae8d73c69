//! A lexical pass before the grammar: finds what pest would report vaguely or not survive,
//! and names it. Unterminated strings, a lone `|` meant as `|>`, and nesting too deep for the
//! recursive stages after it (parsing, lowering, checking) are diagnostics here, so any input
//! gets an answer instead of a stack overflow.

use crate::diag::{Diag, Lexical};
use crate::span::Span;

/// The deepest bracket nesting accepted: far beyond any recipe, far below the stack's limit.
pub const MAX_NESTING: usize = 64;

/// The most operators, calls and brackets one declaration may hold. Each can add a level to the
/// syntax tree (`a |> f |> g`, `- - x`, `a + b + c` nest), so this bounds its depth too.
pub const MAX_TERMS: usize = 1000;

/// Scans `src`, returning the first lexical problem.
pub fn scan(src: &str) -> Result<(), Diag> {
    let bytes = src.as_bytes();
    let mut open: Vec<usize> = vec![];
    // Operators and brackets since the last declaration keyword at the start of a line.
    let mut terms = 0usize;
    let mut decl_start = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') => {
                            return Err(lexical(Span::new(start, i), Lexical::UnterminatedString));
                        }
                        Some(b'\\') if matches!(bytes.get(i + 1), Some(b'"' | b'\\')) => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            b'|' if bytes.get(i + 1) != Some(&b'>') => {
                return Err(lexical(Span::new(i, i + 1), Lexical::LoneBar));
            }
            b'(' | b'[' | b'{' => {
                open.push(i);
                terms += 1;
                if open.len() > MAX_NESTING {
                    return Err(lexical(Span::new(i, i + 1), Lexical::TooDeep { limit: MAX_NESTING }));
                }
            }
            b')' | b']' | b'}' => {
                open.pop();
            }
            b'+' | b'-' | b'*' | b'/' | b'>' => terms += 1,
            b'\n' => {
                // A keyword at the start of a line begins a new declaration. Brackets still open
                // there are a syntax error that the grammar reports where it begins.
                let next = &src[i + 1..];
                let at_margin = next.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
                if starts_declaration(next) && (open.is_empty() || at_margin) {
                    if !open.is_empty() {
                        return Ok(());
                    }
                    terms = 0;
                    decl_start = i + 1;
                }
            }
            _ => {}
        }
        if terms > MAX_TERMS {
            let end = src[decl_start..].find('\n').map_or(src.len(), |n| decl_start + n);
            return Err(lexical(
                Span::new(decl_start, end.max(decl_start)),
                Lexical::TooLong { limit: MAX_TERMS },
            ));
        }
        i += 1;
    }
    Ok(())
}

/// Whether a line starts with a declaration keyword.
fn starts_declaration(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t', '\r']);
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    matches!(
        &line[..end],
        "data" | "view" | "mask" | "network" | "branch" | "let" | "loss" | "optimizer" | "train" | "job"
    )
}

fn lexical(span: Span, problem: Lexical) -> Diag {
    Diag::Lexical { span, problem }
}

#[cfg(test)]
mod tests;
