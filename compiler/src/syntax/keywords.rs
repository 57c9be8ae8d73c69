//! The words the grammar reserves (its `keyword` rule), for tools that name things: rename in
//! the language server, the editors' highlighting.

/// Every reserved word, in the grammar's order.
pub const KEYWORDS: [&str; 13] = [
    "data",
    "view",
    "mask",
    "network",
    "branch",
    "let",
    "loss",
    "weight",
    "optimizer",
    "train",
    "job",
    "true",
    "false",
];

#[cfg(test)]
mod tests {
    use super::KEYWORDS;

    /// The words of the grammar's `keyword = _{ ... }` rule.
    fn grammar_keywords() -> Vec<String> {
        let grammar = include_str!("../../../grammar/ssl.pest");
        let start = grammar.find("keyword = _{").expect("the keyword rule");
        let body = &grammar[start..];
        let body = &body[..body.find('}').expect("its end")];
        body.split('"').skip(1).step_by(2).map(str::to_string).collect()
    }

    #[test]
    fn the_list_is_the_grammars() {
        assert_eq!(grammar_keywords(), KEYWORDS);
    }

    #[test]
    fn no_keyword_can_name_a_value_and_a_longer_word_can() {
        for k in KEYWORDS {
            assert!(super::super::parse(&format!("let {k} = 1\n")).is_err(), "{k}");
            assert!(super::super::parse(&format!("let {k}s = 1\n")).is_ok(), "{k}s");
        }
    }
}
