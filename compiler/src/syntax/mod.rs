//! Syntax: the only module that sees pest. Text in, `ast::Recipe` or syntax diagnostics out.

mod errors;
mod lower;
mod parser;
mod scan;

pub use scan::{MAX_NESTING, MAX_TERMS};

use crate::ast::{Expr, Recipe};
use crate::diag::Diag;

/// Parses a recipe into its syntax tree.
pub fn parse(src: &str) -> Result<Recipe, Diag> {
    scan::scan(src)?;
    let pairs = parser::parse_recipe(src).map_err(|e| errors::from_pest(&e, src))?;
    Ok(lower::recipe(pairs))
}

/// Parses one value (the right-hand side of an override): a single expression and nothing more.
/// Spans point into `src`.
pub fn parse_value(src: &str) -> Result<Expr, Diag> {
    scan::scan(src)?;
    let pairs = parser::parse_value(src).map_err(|e| errors::from_pest(&e, src))?;
    pairs
        .flatten()
        .find(|p| p.as_rule() == parser::Rule::expr)
        .map(lower::expr)
        .ok_or_else(|| Diag::Syntax {
            span: crate::span::Span::new(0, src.len()),
            expected: vec!["a value".into()],
            found: "nothing".into(),
        })
}
