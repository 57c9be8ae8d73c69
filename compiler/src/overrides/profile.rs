//! Profiles: a YAML map from override paths to values (nested maps join their keys with dots),
//! read into overrides that remember the line each came from.

use super::{Origin, Override};
use crate::span::Span;

/// The overrides of profile `text` (named `name` in diagnostics), in the order written, or a
/// message naming what is wrong.
pub fn read(name: &str, text: &str) -> Result<Vec<Override>, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| format!("{name} is not valid YAML: {e}"))?;
    let mut out = vec![];
    let mut lines = Lines {
        name: name.to_string(),
        text,
        from: 0,
    };
    flatten("", "", &yaml, &mut lines, &mut out).map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

/// Finds, in a profile's text, the line each entry was written on, in the order the map lists
/// them, so that a diagnostic about an entry can point at its line.
struct Lines<'a> {
    name: String,
    text: &'a str,
    /// Where the search for the next entry starts.
    from: usize,
}

impl Lines<'_> {
    /// The line at or after the last one found whose key is `key` (bare or quoted).
    fn origin(&mut self, key: &str) -> Option<Origin> {
        let forms = [key.to_string(), format!("'{key}'"), format!("\"{key}\"")];
        let mut at = self.from;
        for line in self.text[self.from..].split_inclusive('\n') {
            let start = at;
            at += line.len();
            let body = line.trim_end();
            let indent = body.len() - body.trim_start().len();
            let rest = body.trim_start();
            let Some(after) = forms
                .iter()
                .find_map(|k| rest.strip_prefix(k.as_str()).and_then(|r| r.strip_prefix(':')))
            else {
                continue;
            };
            self.from = at;
            let mut value_start = start + body.len() - after.trim_start().len();
            let mut value_end = start + body.len();
            let raw = after.trim();
            if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
                // YAML's single quotes are not part of the recipe text.
                (value_start, value_end) = (value_start + 1, value_end - 1);
            }
            return Some(Origin {
                name: self.name.clone(),
                text: self.text.to_string(),
                span: Span::new(start + indent, start + body.len()),
                value: Span::new(value_start, value_end),
            });
        }
        None
    }
}

fn flatten(
    prefix: &str,
    key: &str,
    v: &serde_yaml::Value,
    lines: &mut Lines,
    out: &mut Vec<Override>,
) -> Result<(), String> {
    use serde_yaml::Value;
    let text = match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => return Err(format!("a key must be a string, found {other:?}")),
                };
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if matches!(v, Value::Mapping(_)) {
                    // A nested map's own line: later keys are searched below it.
                    lines.origin(&key);
                }
                flatten(&path, &key, v, lines, out)?;
            }
            return Ok(());
        }
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        other => {
            return Err(format!(
                "`{prefix}` must be a number, a boolean or recipe text, found {other:?}"
            ));
        }
    };
    if prefix.is_empty() {
        return Err("a profile is a map from paths to values".into());
    }
    out.push(Override {
        path: prefix.to_string(),
        value: text,
        origin: lines.origin(key),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_maps_become_dotted_paths_in_order() {
        let text = "# a profile\ntrain:\n  epochs: 300\ndata.batch: 512\nbackbone.norm: '\"batch\"'\n";
        let out = read("p.yaml", text).expect("flat");
        let at: Vec<(&str, &str)> = out
            .iter()
            .map(|o| {
                let at = o.origin.as_ref().expect("found its line");
                (&text[at.span.start..at.span.end], &text[at.value.start..at.value.end])
            })
            .collect();
        assert_eq!(
            at,
            vec![
                ("epochs: 300", "300"),
                ("data.batch: 512", "512"),
                ("backbone.norm: '\"batch\"'", "\"batch\""),
            ]
        );
        let got: Vec<(String, String)> = out.into_iter().map(|o| (o.path, o.value)).collect();
        assert_eq!(
            got,
            vec![
                ("train.epochs".into(), "300".into()),
                ("data.batch".into(), "512".into()),
                ("backbone.norm".into(), "\"batch\"".into()),
            ]
        );
    }
}
