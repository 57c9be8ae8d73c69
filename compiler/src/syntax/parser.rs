//! The pest parser generated from `grammar/ssl.pest`.

use pest::Parser;
use pest::iterators::Pairs;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../../grammar/ssl.pest"]
pub struct SslParser;

/// Runs the `recipe` rule over the whole input.
pub fn parse_recipe(src: &str) -> Result<Pairs<'_, Rule>, Box<pest::error::Error<Rule>>> {
    SslParser::parse(Rule::recipe, src).map_err(Box::new)
}

/// Runs the `override_value` rule: one expression spanning the whole input.
pub fn parse_value(src: &str) -> Result<Pairs<'_, Rule>, Box<pest::error::Error<Rule>>> {
    SslParser::parse(Rule::override_value, src).map_err(Box::new)
}
