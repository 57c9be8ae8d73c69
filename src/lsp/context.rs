//! Where in a recipe a completion is asked, read from the text before the cursor (which, being
//! typed, seldom parses): at an argument's name inside a call, at a key inside a `data { }` or
//! `train { }` block, or anywhere else.

/// The place of the cursor, for completion.
#[derive(Debug, PartialEq, Eq)]
pub enum Place<'t> {
    /// Where an argument of a call of `callee` starts: after `(` or `,`, before any `:`.
    Argument { callee: &'t str },
    /// Where a key of the block `block` (`data`, `train`) starts.
    Key { block: &'t str },
    /// Anywhere else.
    Elsewhere,
}

/// The place of `offset` in `text`.
pub fn place(text: &str, offset: usize) -> Place<'_> {
    let Some(before) = text.get(..offset) else {
        return Place::Elsewhere;
    };
    // The brackets still open at the cursor, outside comments and strings.
    let mut open: Vec<(u8, usize)> = vec![];
    let (mut in_comment, mut in_string, mut escaped) = (false, false, false);
    for (i, b) in before.bytes().enumerate() {
        match b {
            b'\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            _ if in_string => match b {
                b'\\' if !escaped => {
                    escaped = true;
                    continue;
                }
                b'"' if !escaped => in_string = false,
                _ => {}
            },
            b'#' => in_comment = true,
            b'"' => in_string = true,
            b'(' | b'[' | b'{' => open.push((b, i)),
            b')' | b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        escaped = false;
    }
    if in_comment || in_string {
        return Place::Elsewhere;
    }
    let Some(&(bracket, at)) = open.last() else {
        return Place::Elsewhere;
    };
    // What is typed since the bracket, or since the last separator at its level.
    let inside = &before[at + 1..];
    let typed = match bracket {
        b'(' => inside.rsplit(',').next().unwrap_or(inside),
        _ => inside.rsplit('\n').next().unwrap_or(inside),
    };
    let typed = typed.trim_start();
    if !typed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Place::Elsewhere;
    }
    let word = word_before(&before[..at]);
    match bracket {
        b'(' if !word.is_empty() => Place::Argument { callee: word },
        b'{' if !word.is_empty() => Place::Key { block: word },
        _ => Place::Elsewhere,
    }
}

/// The word that ends `text`, spaces after it skipped.
fn word_before(text: &str) -> &str {
    let text = text.trim_end();
    let start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::{Place, place};

    fn at_cursor(text: &str) -> Place<'static> {
        let offset = text.find('$').expect("a cursor");
        let text: &'static str = Box::leak(text.replacen('$', "", 1).into_boxed_str());
        place(text, offset)
    }

    #[test]
    fn arguments_keys_and_elsewhere() {
        assert_eq!(at_cursor("network b = vit($"), Place::Argument { callee: "vit" });
        assert_eq!(
            at_cursor("network b = vit(patch: 4, de$"),
            Place::Argument { callee: "vit" }
        );
        assert_eq!(
            at_cursor("view v = image |> blur (p: 1.0,\n    si$)"),
            Place::Argument { callee: "blur" }
        );
        assert_eq!(at_cursor("network b = vit(patch: $"), Place::Elsewhere);
        assert_eq!(at_cursor("network b = vit(patch: 4, depth: [1, $"), Place::Elsewhere);
        assert_eq!(
            at_cursor("network b = vit(patch: [1, 2], d$"),
            Place::Argument { callee: "vit" }
        );
        assert_eq!(
            at_cursor("train {\n  epochs = 8\n  se$\n}"),
            Place::Key { block: "train" }
        );
        assert_eq!(at_cursor("data {\n  $"), Place::Key { block: "data" });
        assert_eq!(at_cursor("train {\n  epochs = $"), Place::Elsewhere);
        assert_eq!(at_cursor("let z = $"), Place::Elsewhere);
        assert_eq!(at_cursor("# vit($"), Place::Elsewhere);
        assert_eq!(at_cursor("data { source = folder(\"a($"), Place::Elsewhere);
        assert_eq!(
            at_cursor("data { source = folder(\"a(\", $"),
            Place::Argument { callee: "folder" }
        );
    }
}
