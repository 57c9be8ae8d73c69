//! Syntax: the only module that sees pest. Text in, `ast::Recipe` or syntax diagnostics out.

mod errors;
mod format;
mod keywords;
mod lower;
mod parser;
mod scan;

pub use format::{comment_spans, format};
pub use keywords::KEYWORDS;
pub use scan::{MAX_NESTING, MAX_TERMS};

use crate::ast::{Expr, Recipe};
use crate::diag::Diag;

/// Parses a recipe into its syntax tree.
pub fn parse(src: &str) -> Result<Recipe, Diag> {
    scan::scan(src)?;
    let pairs = parser::parse_recipe(src).map_err(|e| errors::from_pest(&e, src))?;
    lower::recipe(pairs).map_err(internal)
}

/// A shape of the parse tree the lowering has no place for: a bug of sslc, not of the recipe.
fn internal(u: lower::Unexpected) -> Diag {
    Diag::Internal {
        what: format!(
            "the parser gave {} where the syntax tree expects {}",
            u.found, u.expected
        ),
        span: u.span,
    }
}

/// Parses one value (the right-hand side of an override): a single expression and nothing more.
/// Spans point into `src`.
pub fn parse_value(src: &str) -> Result<Expr, Diag> {
    scan::scan(src)?;
    let pairs = parser::parse_value(src).map_err(|e| errors::from_pest(&e, src))?;
    pairs
        .flatten()
        .find(|p| p.as_rule() == parser::Rule::expr)
        .map(|p| lower::expr(p).map_err(internal))
        .unwrap_or_else(|| {
            Err(Diag::Syntax {
                span: crate::span::Span::new(0, src.len()),
                expected: vec!["a value".into()],
                found: "nothing".into(),
            })
        })
}
