//! The reference part of `docs/language.md`, generated from this registry.

use std::fmt::Write;

use super::{Category, all};

/// Markdown reference of every built-in: heading, doc, parameter table, example.
pub fn reference() -> String {
    let mut out = String::new();
    for cat in Category::ALL {
        let items: Vec<_> = all().filter(|b| b.category == cat).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", cat.heading());
        for b in items {
            let _ = writeln!(out, "### `{}`\n\n{}\n", b.name, b.doc);
            if super::marked_batch(b.name) && b.category != Category::Branch {
                let _ = writeln!(
                    out,
                    "Across ranks it sees the whole batch: its per-image inputs are gathered from \
                     every rank (the gradient of each rank's rows flowing back to that rank), and a \
                     per-image result is cut back to each rank's own rows.\n"
                );
            }
            let mut table = |title: &str, params: &[super::Param]| {
                if params.is_empty() {
                    return;
                }
                let _ = writeln!(
                    out,
                    "{title}\n\n| parameter | type | default | range | meaning |\n|---|---|---|---|---|"
                );
                for p in params {
                    let default = p.default.map(|d| format!("`{d}`")).unwrap_or_else(|| "required".into());
                    let range = p.limit.map(|l| l.describe()).unwrap_or_default();
                    let detached = if p.detached {
                        "; detached: no gradient flows back into it"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {default} | {range} | {}{detached} |",
                        p.name,
                        p.ty.describe(),
                        p.doc
                    );
                }
                out.push('\n');
            };
            table("Parameters:", b.params);
            if let Some((params, _)) = b.call {
                table("Called as `branch.net(...)` with:", params);
            }
            if let Some(v) = b.variadic {
                let _ = writeln!(out, "Takes any number of positional arguments: {}.\n", v.describe());
            }
            let _ = writeln!(out, "```\n{}\n```\n", b.example);
        }
    }
    out
}
