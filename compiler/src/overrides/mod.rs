//! Overrides (`--set path=value`, profiles): edits of the recipe text, made before compiling so
//! that every diagnostic still points into the text that was compiled.
//!
//! Paths: `data.KEY` and `train.KEY` name a setting (added when absent); `data.KEY.PARAM` and
//! `train.KEY.PARAM` a named argument of that setting's call; `optimizer.PARAM` an argument of
//! the optimiser; `NAME.PARAM` an argument of the outermost call declaring `NAME` (for a view,
//! its last step), and `NAME.OP.PARAM` an argument of every call it makes to `OP`. The value is
//! one recipe expression: `300`, `cosine(0.04, 0.4)`, `"batch"`.
//!
//! Overrides apply one after another, each to the text the previous ones left, so a later
//! override of the same path wins and no edit is placed by offsets that an earlier one moved.

mod locate;
pub mod profile;

use crate::diag::Diag;
pub use crate::span::Origin;
use crate::span::Span;

/// One override: where, and the recipe text to put there.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: String,
    /// Where it was written, when known.
    pub origin: Option<Origin>,
}

impl Override {
    /// An override with no recorded origin (built in code).
    pub fn new(path: impl Into<String>, value: impl Into<String>) -> Override {
        Override {
            path: path.into(),
            value: value.into(),
            origin: None,
        }
    }

    /// Parses a `--set` argument, `path=value`.
    pub fn parse(text: &str) -> Result<Override, Diag> {
        match text.split_once('=') {
            Some((p, v)) if !p.trim().is_empty() && !v.trim().is_empty() => {
                let value = v.trim();
                let start = p.len() + 1 + (v.len() - v.trim_start().len());
                Ok(Override {
                    path: p.trim().to_string(),
                    value: value.to_string(),
                    origin: Some(Origin {
                        name: "--set".into(),
                        text: text.to_string(),
                        span: Span::new(0, text.len()),
                        value: Span::new(start, start + value.len()),
                    }),
                })
            }
            _ => Err(Diag::Override {
                path: text.to_string(),
                reason: "an override is written `path=value`".into(),
                help: Some("for example `--set train.epochs=300`".into()),
                origin: None,
            }),
        }
    }

    /// A diagnostic about this override.
    fn error(&self, reason: String, help: Option<String>) -> Diag {
        Diag::Override {
            path: self.path.clone(),
            reason,
            help,
            origin: self.origin.clone(),
        }
    }
}

/// The recipe text with every override applied in order, or why some cannot be. A syntax error
/// of the recipe itself comes back as that error, against `src`.
pub fn apply(src: &str, overrides: &[Override]) -> Result<String, Vec<Diag>> {
    let mut text = src.to_string();
    // The syntax tree of `text`, parsed when first needed and then kept from the check that
    // each spliced text still parses.
    let mut recipe = None;
    let mut errors = vec![];
    for o in overrides {
        if let Err(d) = check_value(o) {
            errors.push(d);
            continue;
        }
        let current = match recipe.take() {
            Some(r) => r,
            None => crate::syntax::parse(&text).map_err(|d| vec![d])?,
        };
        let edits = match locate::edits(&current, &text, o) {
            Ok(e) => e,
            Err(d) => {
                errors.push(d);
                recipe = Some(current);
                continue;
            }
        };
        let next = splice(&text, &edits);
        match crate::syntax::parse(&next) {
            Ok(r) => {
                text = next;
                recipe = Some(r);
            }
            Err(_) => {
                // The value parsed alone, so only a misplaced edit gets here: say so at the override.
                errors.push(o.error(
                    "the recipe would not parse after it".into(),
                    Some("this is a bug in sslc's override splicer; please report it with the recipe".into()),
                ));
                recipe = Some(current);
            }
        }
    }
    if errors.is_empty() { Ok(text) } else { Err(errors) }
}

/// The value must be one expression: it cannot close a block or add declarations.
fn check_value(o: &Override) -> Result<(), Diag> {
    let (span, what) = match crate::syntax::parse_value(&o.value) {
        Ok(_) => return Ok(()),
        Err(Diag::Syntax { span, expected, found }) => (
            span,
            format!("expected {}, found {found}", crate::diag::one_of(&expected)),
        ),
        Err(other) => (other.primary_span(), crate::diag::to_miette(&other).to_string()),
    };
    let origin = o.origin.clone().map(|mut at| {
        // Point at the offending character inside the value as written.
        let (base, end) = (at.value.start, at.value.end);
        let start = (base + span.start).min(end);
        at.span = Span::new(start, (base + span.end).min(end).max(start));
        at
    });
    Err(Diag::Override {
        path: o.path.clone(),
        reason: format!("its value `{}` is not one recipe value: {what}", o.value),
        help: Some("a value is a number, a string in double quotes, a name or a call, e.g. `cosine(0.04, 0.4)`".into()),
        origin,
    })
}

/// Applies the edits of one override. An edit inside the text that another edit replaces (a
/// nested call to the same op) is dropped: the outer replacement already decides that text.
fn splice(text: &str, edits: &[locate::Edit]) -> String {
    let inside = |e: &locate::Edit, f: &locate::Edit| {
        !f.span.is_empty() && f.span != e.span && f.span.start <= e.span.start && e.span.end <= f.span.end
    };
    let mut kept: Vec<&locate::Edit> = edits.iter().filter(|e| !edits.iter().any(|f| inside(e, f))).collect();
    kept.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for e in kept {
        out.replace_range(e.span.start..e.span.end, &e.text);
    }
    out
}

#[cfg(test)]
mod tests;
