//! Syntax: the only module that sees pest. Text in, `ast::Recipe` or syntax diagnostics out.

mod errors;
mod lower;
mod parser;

use crate::ast::Recipe;
use crate::diag::Diag;

/// Parses a recipe into its syntax tree.
pub fn parse(src: &str) -> Result<Recipe, Diag> {
    let pairs = parser::parse_recipe(src).map_err(|e| errors::from_pest(&e, src))?;
    Ok(lower::recipe(pairs))
}
