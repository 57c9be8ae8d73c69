//! Byte ranges into the recipe text (and into the text of an override), the one way every later
//! stage points back at the source.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` in the recipe text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A value with the span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// Where an override came from, for diagnostics that point at it rather than at the recipe.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The source's name in a diagnostic: `--set`, or the profile's path.
    pub name: String,
    /// The text the override was read from: the `--set` argument, or the whole profile.
    pub text: String,
    /// The whole override in `text` (`path=value`, or the profile line).
    pub span: Span,
    /// Its value's place in `text`.
    pub value: Span,
}
