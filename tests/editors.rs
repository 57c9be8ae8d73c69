//! The editors' highlighting knows the language: Neovim's syntax file (editors/nvim/) reserves
//! exactly the grammar's keywords. (The VS Code grammar is checked under VS Code's own tokenizer
//! by `editors/vscode/test/grammar.js`, and both clients against `sslc lsp` by
//! `scripts/editors-check.sh`.)

use sslc_compiler::syntax::KEYWORDS;

#[test]
fn the_vim_syntax_reserves_the_grammars_keywords() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/nvim/syntax/ssl.vim");
    let syntax = std::fs::read_to_string(path).expect("editors/nvim/syntax/ssl.vim");
    let mut listed: Vec<&str> = syntax
        .lines()
        .filter_map(|l| l.strip_prefix("syntax keyword "))
        .flat_map(|l| l.split_whitespace().skip(1))
        .collect();
    listed.sort_unstable();
    let mut keywords = KEYWORDS.to_vec();
    keywords.sort_unstable();
    assert_eq!(listed, keywords);
}
