//! Turns pest errors into syntax diagnostics that speak of words a user knows, not rule names.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::parser::Rule;
use crate::diag::Diag;
use crate::span::Span;

/// What a user would call the thing a grammar rule stands for.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::data_decl | Rule::kw_data => "`data`",
        Rule::view_decl | Rule::kw_view => "`view`",
        Rule::mask_decl | Rule::kw_mask => "`mask`",
        Rule::network_decl | Rule::kw_network => "`network`",
        Rule::branch_decl | Rule::kw_branch => "`branch`",
        Rule::let_decl | Rule::kw_let => "`let`",
        Rule::loss_decl | Rule::kw_loss => "`loss`",
        Rule::optimizer_decl | Rule::kw_optimizer => "`optimizer`",
        Rule::train_decl | Rule::kw_train => "`train`",
        Rule::job_decl | Rule::kw_job => "`job`",
        Rule::loss_weight | Rule::kw_weight => "`weight`",
        Rule::settings => "`{`",
        Rule::setting | Rule::word => "a setting such as `batch = 64`",
        Rule::binders | Rule::binder | Rule::ident => "a name",
        Rule::expr | Rule::postfixed | Rule::primary => "a value",
        Rule::pipe | Rule::add | Rule::sub | Rule::mul | Rule::div => "an operator",
        Rule::neg => "`-`",
        Rule::call => "`(`",
        Rule::arg | Rule::named_arg => "an argument",
        Rule::member => "`.`",
        Rule::list => "a list `[...]`",
        Rule::tuple_or_group => "`(`",
        Rule::boolean => "`true` or `false`",
        Rule::number | Rule::integer => "a number",
        Rule::string => "a string",
        _ => "a declaration",
    }
}

/// How much of a word a message quotes.
const FOUND_CHARS: usize = 32;

/// The text at `pos`, as a user would name it.
fn found_at(src: &str, pos: usize) -> String {
    let rest = &src[pos.min(src.len())..];
    let Some(c) = rest.chars().next() else {
        return "end of file".into();
    };
    if c == '\n' || c == '\r' {
        return "end of line".into();
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(FOUND_CHARS + 1)
        .collect();
    if word.is_empty() {
        format!("`{c}`")
    } else if word.chars().count() > FOUND_CHARS {
        // A huge token is shown once, in the source excerpt, not again in the message.
        let head: String = word.chars().take(FOUND_CHARS).collect();
        format!("`{head}…`")
    } else {
        format!("`{word}`")
    }
}

/// Converts a pest error into a `Diag::Syntax`.
pub fn from_pest(e: &Error<Rule>, src: &str) -> Diag {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.iter().map(|r| describe(*r).to_string()).collect(),
        ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    // Declarations are always the alternatives at top level: say so once.
    let decl_words = ["`data`", "`view`", "`mask`", "`network`", "`branch`", "`let`", "`loss`"];
    if decl_words.iter().filter(|w| expected.iter().any(|e| e == *w)).count() >= 3 {
        expected.retain(|e| !e.starts_with('`') || e == "`}`" || e == "`)`");
        expected.insert(0, "a declaration (`view`, `network`, `loss`, ...)".into());
    }
    expected.sort();
    expected.dedup();
    let end = (pos + 1).min(src.len()).max(pos);
    Diag::Syntax {
        span: Span::new(pos, end),
        expected,
        found: found_at(src, pos),
    }
}
