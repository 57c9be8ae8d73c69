//! Where a byte of a recipe lies as the protocol counts it: lines, and UTF-16 units within a
//! line; and the word under a position.

use lsp_types::{Position, Range};
use sslc_compiler::span::Span;

/// Line starts of one text, for turning byte offsets into positions and back.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, moved back to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let character = self.text[self.starts[line]..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of `p`; a position past a line's end is its end, past the text its end.
    pub fn offset(&self, p: Position) -> usize {
        let Some(&start) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let mut units = 0;
        for (i, ch) in line.char_indices() {
            if units >= p.character as usize {
                return start + i;
            }
            units += ch.len_utf16();
        }
        start + line.len()
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The name or word that `offset` lies in or just after, with its span.
    pub fn word_at(&self, offset: usize) -> Option<(&'t str, Span)> {
        let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let offset = offset.min(self.text.len());
        let start = self.text[..offset]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(offset, |(i, _)| i);
        let end = self.text[offset..]
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(self.text.len(), |(i, _)| offset + i);
        let word = &self.text[start..end];
        (!word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit())).then(|| (word, Span::new(start, end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "let a = x # τ ≥ 𝛼\nlet bb = y\n";
        let lines = Lines::new(text);
        let at = text.find("bb").expect("there");
        assert_eq!(lines.position(at), Position::new(1, 4));
        assert_eq!(lines.offset(Position::new(1, 4)), at);
        let end = text.find('\n').expect("a line");
        // τ and ≥ are one unit each, 𝛼 two.
        assert_eq!(lines.position(end), Position::new(0, 18));
        assert_eq!(lines.offset(Position::new(0, 99)), end);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
    }

    #[test]
    fn the_word_under_the_cursor() {
        let lines = Lines::new("let z = online.backbone(v1)");
        let at = |s: &str| "let z = online.backbone(v1)".find(s).expect("there");
        assert_eq!(lines.word_at(at("backbone") + 3).map(|w| w.0), Some("backbone"));
        assert_eq!(lines.word_at(at("(v1")).map(|w| w.0), Some("backbone"));
        assert_eq!(lines.word_at(at(" =")).map(|w| w.0), Some("z"));
        assert_eq!(lines.word_at(at("= ")).map(|w| w.0), None);
    }
}
