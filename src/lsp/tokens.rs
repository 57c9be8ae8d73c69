//! Semantic tokens for highlighting: keywords, built-ins, declared names where declared and
//! where used, argument names and setting keys, members, numbers, strings, comments.

use lsp_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend};
use sslc_compiler::ast::{Expr, ExprKind};
use sslc_compiler::registry;
use sslc_compiler::span::Span;
use sslc_compiler::syntax;

use super::text::Lines;

/// The token types, in the order the legend gives them (their index is the token's type).
const TYPES: [SemanticTokenType; 8] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
];
const KEYWORD: u32 = 0;
const FUNCTION: u32 = 1;
const VARIABLE: u32 = 2;
const PARAMETER: u32 = 3;
const PROPERTY: u32 = 4;
const NUMBER: u32 = 5;
const STRING: u32 = 6;
const COMMENT: u32 = 7;

/// The one modifier: a name where it is declared.
const DECLARATION: u32 = 1;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

/// The tokens of `text`, encoded as the protocol wants them (each relative to the one before).
/// A text that does not parse gets its comments only.
pub fn tokens(text: &str) -> Vec<SemanticToken> {
    let mut found: Vec<(Span, u32, u32)> = syntax::comment_spans(text)
        .into_iter()
        .map(|s| (s, COMMENT, 0))
        .collect();
    if let Ok(recipe) = syntax::parse(text) {
        for d in &recipe.decls {
            found.push((d.keyword_span, KEYWORD, 0));
            for b in &d.binders {
                found.push((b.name.span, VARIABLE, DECLARATION));
            }
            for s in &d.settings {
                found.push((s.key.span, PARAMETER, 0));
                expr(&s.value, &mut found);
            }
            d.value.iter().chain(d.weight.iter()).for_each(|e| expr(e, &mut found));
        }
    }
    found.sort_by_key(|(s, _, _)| (s.start, s.end));
    found.dedup_by_key(|(s, _, _)| s.start);
    encode(text, &found)
}

fn expr(e: &Expr, out: &mut Vec<(Span, u32, u32)>) {
    match &e.kind {
        ExprKind::Number(_) => out.push((e.span, NUMBER, 0)),
        ExprKind::Bool(_) => out.push((e.span, KEYWORD, 0)),
        ExprKind::Str(_) => out.push((e.span, STRING, 0)),
        ExprKind::Name(n) => {
            let kind = if registry::lookup(n).is_some() {
                FUNCTION
            } else {
                VARIABLE
            };
            out.push((e.span, kind, 0));
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| expr(i, out)),
        ExprKind::Neg(x) => expr(x, out),
        ExprKind::Binary(_, a, b) => {
            expr(a, out);
            expr(b, out);
        }
        ExprKind::Call(callee, args) => {
            expr(callee, out);
            for a in args {
                if let Some(name) = &a.name {
                    out.push((name.span, PARAMETER, 0));
                }
                expr(&a.value, out);
            }
        }
        ExprKind::Member(base, name) => {
            expr(base, out);
            out.push((name.span, PROPERTY, 0));
        }
    }
}

/// Each token as (line delta, start delta, length, type, modifiers), lengths in UTF-16 units.
fn encode(text: &str, found: &[(Span, u32, u32)]) -> Vec<SemanticToken> {
    let lines = Lines::new(text);
    let (mut line, mut start) = (0, 0);
    let mut out = vec![];
    for (span, kind, modifiers) in found {
        let (from, to) = (lines.position(span.start), lines.position(span.end));
        if from.line != to.line || to.character <= from.character {
            continue;
        }
        let delta_line = from.line - line;
        let delta_start = if delta_line == 0 {
            from.character - start
        } else {
            from.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: to.character - from.character,
            token_type: *kind,
            token_modifiers_bitset: *modifiers,
        });
        (line, start) = (from.line, from.character);
    }
    out
}
