//! Overrides (`--set path=value`, profiles): edits of the recipe text, made before compiling so
//! that every diagnostic still points into the text that was compiled.
//!
//! Paths: `data.KEY` and `train.KEY` name a setting (added when absent); `data.KEY.PARAM` and
//! `train.KEY.PARAM` a named argument of that setting's call; `optimizer.PARAM` an argument of
//! the optimiser; `NAME.PARAM` an argument of the outermost call declaring `NAME` (for a view,
//! its last step), and `NAME.OP.PARAM` an argument of every call it makes to `OP`. The value is
//! recipe text: `300`, `cosine(0.04, 0.4)`, `"batch"`.

use crate::ast::{Decl, DeclKind, Expr, ExprKind, Recipe};
use crate::diag::{Diag, did_you_mean};
use crate::span::Span;

/// One override: where, and the recipe text to put there.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: String,
}

impl Override {
    /// Parses `path=value`.
    pub fn parse(text: &str) -> Result<Override, Diag> {
        match text.split_once('=') {
            Some((p, v)) if !p.trim().is_empty() && !v.trim().is_empty() => Ok(Override {
                path: p.trim().to_string(),
                value: v.trim().to_string(),
            }),
            _ => Err(Diag::Override {
                path: text.to_string(),
                reason: "an override is written `path=value`".into(),
                help: Some("for example `--set train.epochs=300`".into()),
            }),
        }
    }
}

/// An edit of the source: replace `span` with `text`.
#[derive(Debug)]
struct Edit {
    span: Span,
    text: String,
}

/// The recipe text with every override applied, or why some cannot be.
pub fn apply(src: &str, overrides: &[Override]) -> Result<String, Vec<Diag>> {
    if overrides.is_empty() {
        return Ok(src.to_string());
    }
    let recipe = crate::syntax::parse(src).map_err(|d| vec![d])?;
    let mut edits = vec![];
    let mut errors = vec![];
    for o in overrides {
        match locate(&recipe, src, o) {
            Ok(e) => edits.extend(e),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = src.to_string();
    for e in edits {
        out.replace_range(e.span.start..e.span.end, &e.text);
    }
    Ok(out)
}

fn fail(o: &Override, reason: String, help: Option<String>) -> Diag {
    Diag::Override {
        path: o.path.clone(),
        reason,
        help,
    }
}

fn locate(recipe: &Recipe, src: &str, o: &Override) -> Result<Vec<Edit>, Diag> {
    let parts: Vec<&str> = o.path.split('.').collect();
    let block = |kind: DeclKind| recipe.decls.iter().find(|d| d.kind == kind);
    match parts.as_slice() {
        [head @ ("data" | "train"), key, rest @ ..] => {
            let kind = if *head == "data" {
                DeclKind::Data
            } else {
                DeclKind::Train
            };
            let decl = block(kind).ok_or_else(|| fail(o, format!("the recipe has no `{head}` block"), None))?;
            match (decl.settings.iter().find(|s| s.key.node == *key), rest) {
                (Some(s), []) => Ok(vec![Edit {
                    span: s.value.span,
                    text: o.value.clone(),
                }]),
                (Some(s), [param]) => argument(&s.value, None, param, o),
                (None, []) => Ok(vec![Edit {
                    span: closing_brace(src, decl),
                    text: format!("  {key} = {}\n}}", o.value),
                }]),
                _ => Err(fail(o, format!("`{head}` has no setting `{key}`"), None)),
            }
        }
        ["optimizer", param] => {
            let decl = block(DeclKind::Optimizer).ok_or_else(|| fail(o, "the recipe has no optimizer".into(), None))?;
            let value = decl
                .value
                .as_ref()
                .ok_or_else(|| fail(o, "the optimizer has no value".into(), None))?;
            argument(value, None, param, o)
        }
        [name, rest @ ..] if !rest.is_empty() && rest.len() <= 2 => {
            let decl = recipe
                .decls
                .iter()
                .find(|d| d.binders.iter().any(|b| b.name.node == *name))
                .ok_or_else(|| {
                    let names: Vec<&str> = recipe
                        .decls
                        .iter()
                        .flat_map(|d| d.binders.iter().map(|b| b.name.node.as_str()))
                        .chain(["data", "train", "optimizer"])
                        .collect();
                    fail(
                        o,
                        format!("nothing in the recipe is called `{name}`"),
                        did_you_mean(name, names).map(|s| format!("did you mean `{s}`?")),
                    )
                })?;
            if let (DeclKind::Loss, ["weight"]) = (&decl.kind, rest) {
                return Ok(vec![loss_weight(decl, o)]);
            }
            let value = decl
                .value
                .as_ref()
                .ok_or_else(|| fail(o, format!("`{name}` has no value"), None))?;
            match rest {
                [param] => argument(value, None, param, o),
                [op, param] => argument(value, Some(op), param, o),
                _ => unknown_path(o),
            }
        }
        _ => unknown_path(o),
    }
}

/// `LOSS.weight`: replaces the loss's weight, or adds one after its name.
fn loss_weight(decl: &Decl, o: &Override) -> Edit {
    match &decl.weight {
        Some(w) => Edit {
            span: w.span,
            text: o.value.clone(),
        },
        None => {
            let end = decl.binders[0].name.span.end;
            Edit {
                span: Span { start: end, end },
                text: format!(" weight {}", o.value),
            }
        }
    }
}

fn unknown_path(o: &Override) -> Result<Vec<Edit>, Diag> {
    Err(fail(
        o,
        "the path names no setting or argument".into(),
        Some(
            "paths look like `train.epochs`, `data.source.size`, `optimizer.lr`, `backbone.dim` or `v1.blur.p`".into(),
        ),
    ))
}

/// The named argument `param` of the outermost call in `e`, or of every call to `op` in it: its
/// value is replaced, or the argument is added before the closing parenthesis.
fn argument(e: &Expr, op: Option<&&str>, param: &str, o: &Override) -> Result<Vec<Edit>, Diag> {
    let calls: Vec<&Expr> = match op {
        None => outermost_call(e).into_iter().collect(),
        Some(op) => {
            let mut found = vec![];
            find_calls(e, op, &mut found);
            found
        }
    };
    if calls.is_empty() {
        return Err(match op {
            None => fail(o, "its value is not a call".into(), None),
            Some(op) => fail(o, format!("its value does not call `{op}`"), None),
        });
    }
    let mut edits = vec![];
    for call in calls {
        let ExprKind::Call(_, args) = &call.kind else {
            return unknown_path(o);
        };
        if let Some(a) = args.iter().find(|a| a.name.as_ref().is_some_and(|n| n.node == param)) {
            edits.push(Edit {
                span: a.value.span,
                text: o.value.clone(),
            });
            continue;
        }
        let close = Span {
            start: call.span.end.saturating_sub(1),
            end: call.span.end,
        };
        let sep = if args.is_empty() { "" } else { ", " };
        edits.push(Edit {
            span: close,
            text: format!("{sep}{param}: {})", o.value),
        });
    }
    Ok(edits)
}

fn outermost_call(e: &Expr) -> Option<&Expr> {
    matches!(e.kind, ExprKind::Call(..)).then_some(e)
}

fn callee_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call(callee, _) => match &callee.kind {
            ExprKind::Name(n) => Some(n),
            ExprKind::Member(_, m) => Some(&m.node),
            _ => None,
        },
        _ => None,
    }
}

/// Every call to `op` inside `e`, outermost first.
fn find_calls<'a>(e: &'a Expr, op: &str, out: &mut Vec<&'a Expr>) {
    if callee_name(e) == Some(op) {
        out.push(e);
    }
    match &e.kind {
        ExprKind::Call(callee, args) => {
            find_calls(callee, op, out);
            args.iter().for_each(|a| find_calls(&a.value, op, out));
        }
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().for_each(|x| find_calls(x, op, out)),
        ExprKind::Neg(x) | ExprKind::Member(x, _) => find_calls(x, op, out),
        ExprKind::Binary(_, a, b) => {
            find_calls(a, op, out);
            find_calls(b, op, out);
        }
        _ => {}
    }
}

/// The span of a settings block's closing brace.
fn closing_brace(src: &str, decl: &Decl) -> Span {
    let end = decl.span.end.min(src.len());
    let start = src[..end].rfind('}').unwrap_or(end);
    Span { start, end: start + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "data {\n  source = scenes(size: 32)\n  batch = 64\n}\nview v1 = image |> random_resized_crop(size: 32) |> blur(p: 1.0)\nnetwork backbone = vit(patch: 4, dim: 64, depth: 4, heads: 4)\noptimizer = adamw(lr: 1e-3)\nloss l = soft_ce(a, b) + soft_ce(c, d, teacher_temp: 0.04)\ntrain {\n  epochs = 8\n}\n";

    fn set(path: &str, value: &str) -> Override {
        Override {
            path: path.into(),
            value: value.into(),
        }
    }

    #[test]
    fn settings_arguments_and_nested_calls_are_replaced_or_added() {
        let out = apply(
            SRC,
            &[
                set("train.epochs", "300"),
                set("train.seed", "7"),
                set("data.source.size", "224"),
                set("backbone.dim", "384"),
                set("backbone.mlp_ratio", "4"),
                set("optimizer.weight_decay", "cosine(0.04, 0.4)"),
                set("v1.random_resized_crop.size", "224"),
                set("v1.p", "0.5"),
                set("l.soft_ce.teacher_temp", "0.07"),
            ],
        )
        .expect("applies");
        assert!(out.contains("epochs = 300"));
        assert!(out.contains("  seed = 7\n}"));
        assert!(out.contains("scenes(size: 224)"));
        assert!(out.contains("vit(patch: 4, dim: 384, depth: 4, heads: 4, mlp_ratio: 4)"));
        assert!(out.contains("adamw(lr: 1e-3, weight_decay: cosine(0.04, 0.4))"));
        assert!(out.contains("random_resized_crop(size: 224) |> blur(p: 0.5)"));
        assert!(out.contains("soft_ce(a, b, teacher_temp: 0.07) + soft_ce(c, d, teacher_temp: 0.07)"));
        assert!(crate::syntax::parse(&out).is_ok(), "{out}");
    }

    #[test]
    fn a_path_to_nothing_is_reported_with_a_suggestion() {
        let err = apply(SRC, &[set("backbon.dim", "8")]).expect_err("no such name");
        let Diag::Override { help, .. } = &err[0] else {
            panic!("{err:?}")
        };
        assert_eq!(help.as_deref(), Some("did you mean `backbone`?"));
        assert!(apply(SRC, &[set("train", "1")]).is_err());
        assert!(Override::parse("train.epochs").is_err());
        assert_eq!(Override::parse(" train.epochs = 3 "), Ok(set("train.epochs", "3")));
    }

    #[test]
    fn a_loss_weight_is_replaced_or_added() {
        let weighted = SRC.replace("loss l =", "loss l weight 5 =");
        let out = apply(&weighted, &[set("l.weight", "1")]).expect("applies");
        assert!(out.contains("loss l weight 1 = soft_ce"), "{out}");
        let out = apply(SRC, &[set("l.weight", "cosine(1, 0)")]).expect("applies");
        assert!(out.contains("loss l weight cosine(1, 0) = soft_ce"), "{out}");
        assert!(crate::syntax::parse(&out).is_ok(), "{out}");
        // Only losses have weights.
        assert!(apply(SRC, &[set("backbone.weight", "1")]).is_ok_and(|o| o.contains("weight: 1")));
    }
}
