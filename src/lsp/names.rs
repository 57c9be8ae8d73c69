//! Where a declared name is written: its declaration and every use (a value by name, a network
//! as a branch's member, `online.backbone`), for find-references and rename.

use sslc_compiler::ast::{Expr, ExprKind, Recipe};
use sslc_compiler::span::Span;
use sslc_compiler::syntax;

use super::text::Lines;

/// The declared name at `offset` and every place it is written, declaration first; `None`
/// where the word there is not a name the recipe declares.
pub fn occurrences(text: &str, offset: usize) -> Option<(String, Vec<Span>)> {
    let (word, _) = Lines::new(text).word_at(offset)?;
    let recipe = syntax::parse(text).ok()?;
    let mut spans: Vec<Span> = recipe
        .decls
        .iter()
        .flat_map(|d| &d.binders)
        .filter(|b| b.name.node == word)
        .map(|b| b.name.span)
        .collect();
    if spans.is_empty() {
        return None;
    }
    for e in exprs(&recipe) {
        uses(e, word, &mut spans);
    }
    Some((word.to_string(), spans))
}

/// Every top-level expression of a recipe: values, weights and settings.
fn exprs(r: &Recipe) -> impl Iterator<Item = &Expr> {
    r.decls.iter().flat_map(|d| {
        d.value
            .iter()
            .chain(d.weight.iter())
            .chain(d.settings.iter().map(|s| &s.value))
    })
}

fn uses(e: &Expr, name: &str, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Name(n) if n == name => out.push(e.span),
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| uses(i, name, out)),
        ExprKind::Neg(x) => uses(x, name, out),
        ExprKind::Binary(_, a, b) => {
            uses(a, name, out);
            uses(b, name, out);
        }
        ExprKind::Call(callee, args) => {
            uses(callee, name, out);
            args.iter().for_each(|a| uses(&a.value, name, out));
        }
        ExprKind::Member(base, member) => {
            uses(base, name, out);
            if member.node == name {
                out.push(member.span);
            }
        }
        _ => {}
    }
}

/// The names the recipe declares, each with its declaration's keyword: from the syntax tree, or
/// where the text does not parse (as while typing), from the lines that start a declaration.
pub fn declared(text: &str) -> Vec<(String, &'static str)> {
    if let Ok(recipe) = syntax::parse(text) {
        return recipe
            .decls
            .iter()
            .flat_map(|d| d.binders.iter().map(|b| (b.name.node.clone(), d.kind.keyword())))
            .collect();
    }
    const DECLARING: [&str; 7] = ["view", "mask", "network", "branch", "let", "loss", "job"];
    let mut found = vec![];
    for line in text.lines() {
        let mut words = line.splitn(2, char::is_whitespace);
        let (Some(head), Some(rest)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(keyword) = DECLARING.iter().find(|k| **k == head) else {
            continue;
        };
        let binders = rest.split('=').next().unwrap_or_default();
        let binders = binders.split(" weight").next().unwrap_or_default();
        for b in binders.split(',') {
            let name = b.split('[').next().unwrap_or_default().trim();
            if is_name(name) {
                found.push((name.to_string(), *keyword));
            }
        }
    }
    found
}

/// Whether `name` may name a declaration: a word of letters, digits and `_`, not starting with
/// a digit, and not a keyword.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !syntax::KEYWORDS.contains(&name)
}
