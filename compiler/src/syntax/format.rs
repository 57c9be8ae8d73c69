//! `sslc fmt`: one layout for recipes, from the parse tree, keeping every comment. Tokens are
//! printed as written; only the space between them changes: one space around `=`, infix
//! operators and after commas and colons, none inside brackets; each declaration on its own
//! line, a settings block one setting a line; at most one blank line where the source had
//! some. The author's line breaks are kept where they carry layout: before an infix operator
//! (a pipeline one stage a line), after an opening bracket (one argument a line) and between
//! the items of a long list.

use pest::iterators::Pair;

use super::errors;
use super::parser::{self, Rule};
use super::scan;
use crate::diag::Diag;

/// `src` in the canonical layout; a recipe that does not parse is refused with its error.
pub fn format(src: &str) -> Result<String, Diag> {
    scan::scan(src)?;
    let mut pairs = parser::parse_recipe(src).map_err(|e| errors::from_pest(&e, src))?;
    let mut p = Printer::new(src);
    if let Some(recipe) = pairs.next() {
        for decl in recipe.into_inner() {
            if decl.as_rule() != Rule::EOI {
                p.decl(decl);
            }
        }
    }
    Ok(p.finish())
}

/// A `#` comment: where it lies, and whether it has a line of its own.
struct Comment {
    start: usize,
    end: usize,
    own_line: bool,
}

/// Where the comments of `src` lie: each `#` outside a string, to the end of its line (for
/// editors' highlighting).
pub fn comment_spans(src: &str) -> Vec<crate::span::Span> {
    comments(src)
        .iter()
        .map(|c| crate::span::Span::new(c.start, c.end))
        .collect()
}

/// Every comment of `src`: a `#` outside a string, to the end of its line.
fn comments(src: &str) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let (mut out, mut i, mut in_string) = (vec![], 0, false);
    while i < bytes.len() {
        match (bytes[i], in_string) {
            (b'\\', true) => i += 1,
            (b'"', _) => in_string = !in_string,
            (b'\n', true) => in_string = false,
            (b'#', false) => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                let line_start = src[..i].rfind('\n').map_or(0, |n| n + 1);
                let own_line = src[line_start..i].trim().is_empty();
                out.push(Comment {
                    start: i,
                    end,
                    own_line,
                });
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

struct Printer<'s> {
    src: &'s str,
    comments: Vec<Comment>,
    /// The next comment not yet printed.
    next: usize,
    out: String,
    /// Where in the source the last printed token or comment ends.
    seen: usize,
    indent: usize,
}

impl<'s> Printer<'s> {
    fn new(src: &'s str) -> Self {
        Printer {
            src,
            comments: comments(src),
            next: 0,
            out: String::new(),
            seen: 0,
            indent: 0,
        }
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn newline(&mut self) {
        if !self.at_line_start() {
            self.out.push('\n');
        }
    }

    /// A blank line before what starts at `at`, where the source leaves one since `seen`.
    fn keep_blank(&mut self, at: usize) {
        let gap = &self.src[self.seen.min(at)..at];
        if !self.out.is_empty() && gap.matches('\n').count() >= 2 && !self.out.ends_with("\n\n") {
            self.newline();
            self.out.push('\n');
        }
    }

    /// Prints the comments that start before `at`.
    fn comments_before(&mut self, at: usize) {
        while let Some(c) = self.comments.get(self.next).filter(|c| c.start < at) {
            let (start, end, own_line) = (c.start, c.end, c.own_line);
            self.next += 1;
            let text = self.src[start..end].trim_end();
            if own_line {
                self.newline();
                self.keep_blank(start);
                self.out.push_str(&" ".repeat(self.indent));
            } else if self.at_line_start() {
                self.out.push_str(&" ".repeat(self.indent));
            } else {
                self.out.push_str("  ");
            }
            self.out.push_str(text);
            self.out.push('\n');
            self.seen = end;
        }
    }

    /// Prints `text`, which the source holds from `at` to `end`.
    fn token(&mut self, text: &str, at: usize, end: usize) {
        self.comments_before(at);
        if self.at_line_start() {
            self.out.push_str(&" ".repeat(self.indent));
        }
        self.out.push_str(text);
        self.seen = end;
    }

    fn pair(&mut self, p: &Pair<'_, Rule>) {
        let s = p.as_span();
        self.token(s.as_str(), s.start(), s.end());
    }

    /// Prints punctuation `text`, found at its next place in the source outside comments.
    fn punct(&mut self, text: &str) {
        let at = self.find(text);
        self.token(text, at, at + text.len());
    }

    fn space(&mut self) {
        if !self.at_line_start() {
            self.out.push(' ');
        }
    }

    /// Whether the source breaks the line between where it was last read and `at`.
    fn broken_before(&self, at: usize) -> bool {
        self.src[self.seen.min(at)..at].contains('\n')
    }

    fn finish(mut self) -> String {
        self.comments_before(self.src.len());
        self.newline();
        self.out
    }

    fn decl(&mut self, d: Pair<'_, Rule>) {
        let start = d.as_span().start();
        self.comments_before(start);
        self.newline();
        self.keep_blank(start);
        for part in d.into_inner() {
            match part.as_rule() {
                Rule::settings => {
                    self.space();
                    self.settings(part);
                }
                Rule::binders => {
                    self.space();
                    self.binders(part);
                }
                Rule::binder => {
                    self.space();
                    self.binder(part);
                }
                Rule::loss_weight => {
                    let mut inner = part.into_inner();
                    if let Some(kw) = inner.next() {
                        self.space();
                        self.pair(&kw);
                    }
                    if let Some(e) = inner.next() {
                        self.space();
                        self.expr(e);
                    }
                }
                Rule::expr => {
                    self.space();
                    self.punct("=");
                    self.space();
                    self.expr(part);
                }
                _ => self.pair(&part),
            }
        }
    }

    fn settings(&mut self, s: Pair<'_, Rule>) {
        self.punct("{");
        let outer = self.indent;
        self.indent += 2;
        let mut any = false;
        for setting in s.into_inner() {
            any = true;
            let start = setting.as_span().start();
            self.comments_before(start);
            self.newline();
            self.keep_blank(start);
            let mut inner = setting.into_inner();
            if let Some(key) = inner.next() {
                self.pair(&key);
            }
            if let Some(value) = inner.next() {
                self.out.push(' ');
                self.punct("=");
                self.out.push(' ');
                self.expr(value);
            }
        }
        let close = self.find("}");
        self.comments_before(close);
        self.indent = outer;
        if any {
            self.newline();
        }
        self.punct("}");
    }

    /// Where `text` next lies in the source outside comments.
    fn find(&self, text: &str) -> usize {
        let mut from = self.seen;
        loop {
            let Some(n) = self.src[from..].find(text) else {
                return self.src.len();
            };
            let at = from + n;
            match self.comments.iter().find(|c| c.start <= at && at < c.end) {
                Some(c) => from = c.end,
                None => return at,
            }
        }
    }

    fn binders(&mut self, b: Pair<'_, Rule>) {
        for (i, binder) in b.into_inner().enumerate() {
            if i > 0 {
                self.punct(",");
                self.out.push(' ');
            }
            self.binder(binder);
        }
    }

    fn binder(&mut self, b: Pair<'_, Rule>) {
        let mut inner = b.into_inner();
        if let Some(name) = inner.next() {
            self.pair(&name);
        }
        if let Some(count) = inner.next() {
            self.punct("[");
            self.pair(&count);
            self.punct("]");
        }
    }

    fn expr(&mut self, e: Pair<'_, Rule>) {
        let outer = self.indent;
        for part in e.into_inner() {
            match part.as_rule() {
                Rule::pipe | Rule::add | Rule::sub | Rule::mul | Rule::div => {
                    let at = part.as_span().start();
                    self.comments_before(at);
                    if self.broken_before(at) {
                        self.indent = outer + 2;
                        self.newline();
                    } else {
                        self.out.push(' ');
                    }
                    self.pair(&part);
                    self.out.push(' ');
                }
                Rule::postfixed => self.postfixed(part),
                _ => self.pair(&part),
            }
        }
        self.indent = outer;
    }

    fn postfixed(&mut self, p: Pair<'_, Rule>) {
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::call => self.items(part, "(", ")"),
                Rule::member => {
                    self.punct(".");
                    if let Some(name) = part.into_inner().next() {
                        self.pair(&name);
                    }
                }
                Rule::list => self.items(part, "[", "]"),
                Rule::tuple_or_group => self.items(part, "(", ")"),
                _ => self.pair(&part),
            }
        }
    }

    /// Bracketed items, on one line, or one a line where the source breaks after the opening.
    fn items(&mut self, p: Pair<'_, Rule>, open: &str, close: &str) {
        self.punct(open);
        let items: Vec<Pair<'_, Rule>> = p.into_inner().collect();
        if let Some(first) = items.first() {
            self.comments_before(first.as_span().start());
        }
        let outer = self.indent;
        let broken = items.first().is_some_and(|i| self.broken_before(i.as_span().start()));
        if broken {
            self.indent = outer + 2;
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.punct(",");
                let at = item.as_span().start();
                self.comments_before(at);
                if !broken && self.broken_before(at) {
                    // A long list wrapped where its author wrapped it.
                    self.indent = outer + 2;
                    self.newline();
                } else if !broken {
                    self.out.push(' ');
                }
            }
            if broken {
                self.newline();
            }
            self.item(item.clone());
        }
        self.indent = outer;
        if broken {
            self.indent = outer + 2;
            let close_at = self.find(close);
            self.comments_before(close_at);
            self.indent = outer;
            self.newline();
        }
        self.punct(close);
    }

    fn item(&mut self, item: Pair<'_, Rule>) {
        match item.as_rule() {
            Rule::arg => {
                if let Some(inner) = item.into_inner().next() {
                    self.item(inner);
                }
            }
            Rule::named_arg => {
                let mut inner = item.into_inner();
                if let Some(name) = inner.next() {
                    self.pair(&name);
                }
                self.punct(":");
                self.out.push(' ');
                if let Some(value) = inner.next() {
                    self.expr(value);
                }
            }
            Rule::expr => self.expr(item),
            _ => self.pair(&item),
        }
    }
}

#[cfg(test)]
mod tests;
