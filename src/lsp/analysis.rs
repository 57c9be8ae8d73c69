//! What the server says about one recipe's text: its diagnostics, the hover at a place, the
//! completions, where a name is declared, its declarations as symbols, its formatted text. Each
//! answer compiles the text afresh (a recipe compiles in milliseconds).

use lsp_types::{
    CompletionItem, CompletionItemKind, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol,
    Location, NumberOrString, SymbolKind, Uri,
};
use sslc_compiler::ast::DeclKind;
use sslc_compiler::diag::{self, Severity};
use sslc_compiler::graph::{DATA_KEYS, TRAIN_KEYS};
use sslc_compiler::plan::Network;
use sslc_compiler::registry::{self, Builtin};
use sslc_compiler::span::Span;
use sslc_compiler::{compile, syntax};

use super::context::{self, Place};
use super::names;
use super::text::Lines;

/// The diagnostics `sslc check` prints for `text`, labels as related information.
pub fn diagnostics(uri: &Uri, text: &str) -> Vec<Diagnostic> {
    let lines = Lines::new(text);
    compile(text)
        .diags
        .iter()
        .map(|d| {
            let m = diag::to_miette(d);
            let related = m
                .labels
                .iter()
                .flatten()
                .map(|l| DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), lines.range(Span::new(l.offset(), l.offset() + l.len()))),
                    message: l.label().unwrap_or("here").to_string(),
                })
                .collect::<Vec<_>>();
            let message = match &m.help {
                Some(help) => format!("{}\nhelp: {help}", m.message),
                None => m.message.clone(),
            };
            Diagnostic {
                range: lines.range(d.primary_span()),
                severity: Some(match d.severity() {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code().to_string())),
                source: Some("sslc".into()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Diagnostic::default()
            }
        })
        .collect()
}

/// Markdown for the name at `offset`: a declared value's kind and type, a network's
/// architecture and its number of trainable parameters (`count`), or a built-in's
/// documentation, parameters and example.
pub fn hover(text: &str, offset: usize, count: impl Fn(&Network) -> Option<usize>) -> Option<String> {
    let lines = Lines::new(text);
    let (word, _) = lines.word_at(offset)?;
    let compiled = compile(text);
    if let Some(d) = compiled.graph.declared.iter().find(|d| d.name == word) {
        let last = d.nodes.last();
        let ty = last
            .and_then(|ix| compiled.graph.g.node_weight(*ix))
            .and_then(|n| n.ty.as_ref());
        let head = match ty {
            Some(ty) => format!("{} `{}`: `{ty}`", d.kind, d.name),
            None => format!("{} `{}`", d.kind, d.name),
        };
        let grads = &compiled.grads;
        let grad = match last {
            _ if compiled.plan.is_none() => "",
            Some(ix) if grads.needs_grad.contains(ix) && grads.reached.contains(ix) => {
                "\n\nthe losses' gradient flows back through it"
            }
            _ => "\n\nno gradient flows back through it",
        };
        return Some(format!("{head}{grad}"));
    }
    if let Some(net) = compiled.graph.networks.get(word) {
        let head = match &net.input {
            Some(input) => format!("network `{word}` = `{}`, reading `{input}`", net.config),
            None => format!("network `{word}` = `{}`", net.config),
        };
        let planned = compiled
            .plan
            .as_ref()
            .and_then(|p| p.networks.iter().find(|(n, _)| n == word));
        return Some(match planned.and_then(|(_, n)| count(n)) {
            Some(n) => format!("{head}\n\n{} trainable parameters", thousands(n)),
            None => head,
        });
    }
    registry::lookup(word).map(builtin_doc)
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A built-in's doc line, parameters (type, default, range) and example.
fn builtin_doc(b: &Builtin) -> String {
    let mut out = format!("**{}** ({})\n\n{}\n", b.name, b.category.noun(), b.doc);
    for p in b.params {
        let default = p.default.map_or("required".to_string(), |d| format!("default `{d}`"));
        let range = p.limit.map(|l| format!(", {}", l.describe())).unwrap_or_default();
        out.push_str(&format!(
            "\n- `{}`: {} ({default}{range}): {}",
            p.name,
            p.ty.describe(),
            p.doc
        ));
    }
    if !b.example.is_empty() {
        out.push_str(&format!("\n\n```ssl\n{}\n```", b.example));
    }
    out
}

/// What may be written at `offset`: a call's parameter names where an argument starts (before
/// the rest), a block's keys where a key starts, else every built-in with its parameter list and
/// every name the recipe declares.
pub fn completion(text: &str, offset: usize) -> Vec<CompletionItem> {
    match context::place(text, offset) {
        Place::Key { block } => {
            let keys: &[(&str, &str)] = match block {
                "data" => &DATA_KEYS,
                "train" => &TRAIN_KEYS,
                _ => &[],
            };
            keys.iter()
                .map(|(key, doc)| CompletionItem {
                    label: key.to_string(),
                    kind: Some(CompletionItemKind::PROPERTY),
                    detail: Some(format!("{block} setting")),
                    documentation: Some(lsp_types::Documentation::String(doc.to_string())),
                    insert_text: Some(format!("{key} = ")),
                    ..CompletionItem::default()
                })
                .collect()
        }
        Place::Argument { callee } => {
            let params = registry::lookup(callee).map(|b| b.params).unwrap_or_default();
            let mut items: Vec<CompletionItem> = params
                .iter()
                .map(|p| {
                    let default = p.default.map_or("required".to_string(), |d| format!("default {d}"));
                    CompletionItem {
                        label: p.name.to_string(),
                        kind: Some(CompletionItemKind::FIELD),
                        detail: Some(format!("{}: {} ({default})", p.name, p.ty.describe())),
                        documentation: Some(lsp_types::Documentation::String(p.doc.to_string())),
                        insert_text: Some(format!("{}: ", p.name)),
                        sort_text: Some(format!("0{}", p.name)),
                        ..CompletionItem::default()
                    }
                })
                .collect();
            // A positional argument may be any value too.
            items.extend(everything(text));
            items
        }
        Place::Elsewhere => everything(text),
    }
}

/// Every built-in with its parameter list, and every name the recipe declares.
fn everything(text: &str) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = registry::all()
        .map(|b| {
            let params: Vec<&str> = b.params.iter().map(|p| p.name).collect();
            CompletionItem {
                label: b.name.to_string(),
                kind: Some(CompletionItemKind::FUNCTION),
                detail: Some(format!("{}({})", b.name, params.join(", "))),
                documentation: Some(lsp_types::Documentation::String(b.doc.to_string())),
                sort_text: Some(format!("1{}", b.name)),
                ..CompletionItem::default()
            }
        })
        .collect();
    for (name, keyword) in names::declared(text) {
        items.push(CompletionItem {
            sort_text: Some(format!("1{name}")),
            label: name,
            kind: Some(CompletionItemKind::VARIABLE),
            detail: Some(keyword.to_string()),
            ..CompletionItem::default()
        });
    }
    items
}

/// Where the name at `offset` is declared.
pub fn definition(text: &str, offset: usize) -> Option<Span> {
    let (word, _) = Lines::new(text).word_at(offset)?;
    definition_of(text, word)
}

/// Where `word` is declared.
pub fn definition_of(text: &str, word: &str) -> Option<Span> {
    let recipe = syntax::parse(text).ok()?;
    recipe
        .decls
        .iter()
        .flat_map(|d| &d.binders)
        .find(|b| b.name.node == word)
        .map(|b| b.name.span)
}

/// The recipe's declarations, each named by what it binds (or its keyword).
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be given.
pub fn symbols(text: &str) -> Vec<DocumentSymbol> {
    let lines = Lines::new(text);
    let Ok(recipe) = syntax::parse(text) else {
        return vec![];
    };
    recipe
        .decls
        .iter()
        .map(|d| {
            let (name, at) = match d.binders.first() {
                Some(b) => (
                    d.binders
                        .iter()
                        .map(|b| b.name.node.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    b.name.span,
                ),
                None => (d.kind.keyword().to_string(), d.keyword_span),
            };
            DocumentSymbol {
                name,
                detail: Some(d.kind.keyword().to_string()),
                kind: match d.kind {
                    DeclKind::Network => SymbolKind::CLASS,
                    DeclKind::Branch => SymbolKind::MODULE,
                    DeclKind::Loss => SymbolKind::FUNCTION,
                    DeclKind::Data | DeclKind::Train | DeclKind::Optimizer => SymbolKind::NAMESPACE,
                    _ => SymbolKind::VARIABLE,
                },
                tags: None,
                deprecated: None,
                range: lines.range(d.span),
                selection_range: lines.range(at),
                children: None,
            }
        })
        .collect()
}
