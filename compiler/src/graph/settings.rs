//! The `data { }` and `train { }` blocks: each key checked and stored in the graph, with a
//! "did you mean" for an unknown one; and the check that a value is a built-in's configuration.

use super::eval::Builder;
use crate::ast::Decl;
use crate::diag::{Diag, did_you_mean};
use crate::registry::{self, Category};
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Param, Value};

/// The value must be a configuration from a built-in of `cat`.
pub(super) fn expect_config(b: &mut Builder, v: Value, cat: Category, what: &str, span: Span) -> Option<Config> {
    match v {
        Value::Config(c) if registry::lookup(&c.builtin).is_some_and(|x| x.category == cat) => Some(c),
        Value::Poison => None,
        other => {
            b.diags.push(Diag::WrongType {
                what: what.into(),
                expected: format!("a {} built-in", cat.noun()),
                found: other.describe(),
                span,
            });
            None
        }
    }
}

/// The keys of a `data { }` block, each with what it sets.
pub const DATA_KEYS: [(&str, &str); 3] = [
    (
        "source",
        "where images come from: a source built-in, e.g. `scenes(size: 32)`",
    ),
    ("batch", "images per step (the global batch when distributed)"),
    (
        "views",
        "where the image views are made: \"auto\", \"cpu\" or \"device\"",
    ),
];

/// The keys of a `train { }` block, each with what it sets.
pub const TRAIN_KEYS: [(&str, &str); 6] = [
    ("epochs", "passes over the training images"),
    ("seed", "the seed of every random draw of the run"),
    (
        "log_every",
        "steps between progress lines and reads of the losses from the device",
    ),
    (
        "probe",
        "the probe of the trained network, e.g. `knn(online.backbone, k: 20)`",
    ),
    (
        "sync_batchnorm",
        "across ranks, BatchNorm normalises with the whole batch's statistics",
    ),
    ("precision", "\"fp32\", \"bf16-mixed\" or \"fp16-mixed\""),
];

/// Where the image views can be made.
pub const VIEWS_ON: [&str; 3] = ["auto", "cpu", "device"];

/// The precisions a run trains in.
pub const PRECISIONS: [&str; 3] = ["fp32", "bf16-mixed", "fp16-mixed"];

fn unknown_key(b: &mut Builder, block: &str, key: &crate::span::Spanned<String>, known: &[(&str, &str)]) {
    b.diags.push(Diag::UnknownSetting {
        block: block.into(),
        key: key.node.clone(),
        span: key.span,
        suggestion: did_you_mean(&key.node, known.iter().map(|(k, _)| *k)),
    });
}

fn int_setting(b: &mut Builder, v: Value, key: &str, min: f64, span: Span) -> Option<u64> {
    match v {
        Value::Num(n) if n.fract() == 0.0 && n >= min && n <= registry::MAX_INT => Some(n as u64),
        Value::Num(n) if n.fract() == 0.0 => {
            b.diags.push(Diag::OutOfRange {
                param: key.into(),
                value: n,
                range: format!("between {min} and {}", registry::MAX_INT),
                span,
            });
            None
        }
        Value::Poison => None,
        other => {
            b.diags.push(Diag::WrongType {
                what: format!("`{key}`"),
                expected: "an integer".into(),
                found: other.describe(),
                span,
            });
            None
        }
    }
}

/// The word `v`, if it is one of `choices`; otherwise a type error naming them all.
fn choice_setting(b: &mut Builder, v: Value, key: &str, choices: &[&str], span: Span) -> Option<String> {
    match v {
        Value::Str(word) if choices.contains(&word.as_str()) => Some(word),
        Value::Poison => None,
        other => {
            let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            b.diags.push(Diag::WrongType {
                what: format!("`{key}`"),
                expected: format!("one of {}", quoted.join(", ")),
                found: match other {
                    Value::Str(word) => format!("\"{word}\""),
                    v => v.describe(),
                },
                span,
            });
            None
        }
    }
}

pub(super) fn data(b: &mut Builder, d: &Decl) {
    b.graph.batch = 64;
    for s in &d.settings {
        let v = b.eval(&s.value);
        match s.key.node.as_str() {
            "source" => {
                let Some(c) = expect_config(b, v, Category::Source, "`source`", s.value.span) else {
                    // Reported where it went wrong; its fields are unknown, not missing.
                    b.source_failed = true;
                    continue;
                };
                let size = c.num("size").unwrap_or(32.0) as u64;
                let classes = c.num("classes").unwrap_or(6.0) as u64;
                let objects = c
                    .params
                    .iter()
                    .find(|(n, _)| n == "objects")
                    .and_then(|(_, p)| match p {
                        Param::List(v) => v.get(1).and_then(Param::as_num),
                        _ => None,
                    })
                    .unwrap_or(1.0) as u64;
                b.field_types.insert(
                    "image",
                    Ty::Image {
                        c: 3,
                        h: size,
                        w: size,
                        n: 1,
                    },
                );
                b.field_types.insert("boxes", Ty::Boxes { k: objects });
                b.field_types.insert("segments", Ty::Segments { h: size, w: size });
                b.field_types.insert("labels", Ty::Labels { classes });
                b.graph.source = Some(c);
                b.graph.setting_spans.insert("source".into(), s.value.span);
            }
            "batch" => {
                if let Some(n) = int_setting(b, v, "batch", 2.0, s.value.span) {
                    b.graph.batch = n;
                }
                b.graph.setting_spans.insert("batch".into(), s.value.span);
            }
            "views" => {
                if let Some(w) = choice_setting(b, v, "views", &VIEWS_ON, s.value.span) {
                    b.graph.views = Some(w);
                }
            }
            _ => unknown_key(b, "data", &s.key, &DATA_KEYS),
        }
    }
    if b.graph.source.is_none() && !b.source_failed {
        b.diags.push(Diag::MissingSetting {
            block: "data".into(),
            key: "source".into(),
            example: "source = scenes(size: 32)".into(),
            span: d.keyword_span,
        });
    }
}

pub(super) fn train(b: &mut Builder, d: &Decl) {
    b.graph.setting_spans.insert("train".into(), d.keyword_span);
    for s in &d.settings {
        let v = b.eval(&s.value);
        let span = s.value.span;
        match s.key.node.as_str() {
            "epochs" => b.graph.train.epochs = int_setting(b, v, "epochs", 1.0, span).unwrap_or(1),
            "seed" => b.graph.train.seed = int_setting(b, v, "seed", 0.0, span).unwrap_or(0),
            "log_every" => b.graph.train.log_every = int_setting(b, v, "log_every", 1.0, span).unwrap_or(10),
            "probe" => {
                b.graph.train.probe = expect_config(b, v, Category::Probe, "`probe`", span);
                b.graph.setting_spans.insert("probe".into(), span);
            }
            "precision" => {
                if let Some(p) = choice_setting(b, v, "precision", &PRECISIONS, span) {
                    b.graph.train.precision = p;
                }
            }
            "sync_batchnorm" => match v {
                Value::Bool(on) => b.graph.train.sync_batchnorm = on,
                Value::Poison => {}
                other => b.diags.push(Diag::WrongType {
                    what: "`sync_batchnorm`".into(),
                    expected: "`true` or `false`".into(),
                    found: other.describe(),
                    span,
                }),
            },
            _ => unknown_key(b, "train", &s.key, &TRAIN_KEYS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DATA_KEYS, TRAIN_KEYS};
    use crate::diag::Diag;

    /// Every listed key is one the blocks read: none of them is reported unknown, and a word
    /// that is not listed is.
    #[test]
    fn the_listed_keys_are_the_keys_read() {
        let block = |name: &str, keys: &[(&str, &str)]| {
            let body: String = keys.iter().map(|(k, _)| format!("  {k} = 1\n")).collect();
            format!("{name} {{\n{body}  nonsense = 1\n}}\n")
        };
        let text = block("data", &DATA_KEYS) + &block("train", &TRAIN_KEYS);
        let unknown: Vec<String> = crate::compile(&text)
            .diags
            .into_iter()
            .filter_map(|d| match d {
                Diag::UnknownSetting { key, .. } => Some(key),
                _ => None,
            })
            .collect();
        assert_eq!(unknown, ["nonsense", "nonsense"]);
    }
}
