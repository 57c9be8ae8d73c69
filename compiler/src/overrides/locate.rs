//! Where an override lands: the edits of the recipe text that one path and value make.

use super::Override;
use crate::ast::{Decl, DeclKind, Expr, ExprKind, Recipe};
use crate::diag::{Diag, did_you_mean};
use crate::span::Span;

/// An edit of the source: replace `span` with `text`.
#[derive(Debug)]
pub(super) struct Edit {
    pub span: Span,
    pub text: String,
}

/// The edits that put `o` into `src`, whose syntax tree is `recipe`.
pub(super) fn edits(recipe: &Recipe, src: &str, o: &Override) -> Result<Vec<Edit>, Diag> {
    let parts: Vec<&str> = o.path.split('.').collect();
    let block = |kind: DeclKind| recipe.decls.iter().find(|d| d.kind == kind);
    match parts.as_slice() {
        [head @ ("data" | "train"), key, rest @ ..] => {
            let kind = if *head == "data" {
                DeclKind::Data
            } else {
                DeclKind::Train
            };
            let decl = block(kind).ok_or_else(|| o.error(format!("the recipe has no `{head}` block"), None))?;
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
                _ => Err(o.error(format!("`{head}` has no setting `{key}`"), None)),
            }
        }
        ["optimizer", param] => {
            let decl = block(DeclKind::Optimizer).ok_or_else(|| o.error("the recipe has no optimizer".into(), None))?;
            let value = decl
                .value
                .as_ref()
                .ok_or_else(|| o.error("the optimizer has no value".into(), None))?;
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
                    o.error(
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
                .ok_or_else(|| o.error(format!("`{name}` has no value"), None))?;
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
    Err(o.error(
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
            None => o.error("its value is not a call".into(), None),
            Some(op) => o.error(format!("its value does not call `{op}`"), None),
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
