//! Lowers pest pairs into the syntax tree, desugaring `a |> f(x)` into `f(a, x)`.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::parser::Rule;
use crate::ast::{Arg, BinOp, Binder, Decl, DeclKind, Expr, ExprKind, Recipe, Setting};
use crate::span::{Span, Spanned};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::pipe, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

fn span(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn spanned_str(p: &Pair<Rule>) -> Spanned<String> {
    Spanned::new(p.as_str().to_string(), span(p))
}

/// The recipe rule's pairs into a `Recipe`.
pub fn recipe(mut pairs: Pairs<Rule>) -> Recipe {
    let Some(top) = pairs.next() else {
        return Recipe::default();
    };
    let decls = top
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(decl)
        .collect();
    Recipe { decls }
}

fn decl(p: Pair<Rule>) -> Decl {
    let whole = span(&p);
    let kind = match p.as_rule() {
        Rule::data_decl => DeclKind::Data,
        Rule::view_decl => DeclKind::View,
        Rule::mask_decl => DeclKind::Mask,
        Rule::network_decl => DeclKind::Network,
        Rule::branch_decl => DeclKind::Branch,
        Rule::let_decl => DeclKind::Let,
        Rule::loss_decl => DeclKind::Loss,
        Rule::optimizer_decl => DeclKind::Optimizer,
        Rule::train_decl => DeclKind::Train,
        _ => DeclKind::Job,
    };
    let mut d = Decl {
        kind,
        binders: vec![],
        value: None,
        weight: None,
        settings: vec![],
        span: whole,
        keyword_span: whole,
    };
    for child in p.into_inner() {
        match child.as_rule() {
            Rule::binders => d.binders = child.into_inner().map(binder).collect(),
            Rule::binder => d.binders.push(binder(child)),
            Rule::expr => d.value = Some(expr(child)),
            Rule::loss_weight => d.weight = child.into_inner().find(|c| c.as_rule() == Rule::expr).map(expr),
            Rule::settings => d.settings = child.into_inner().map(setting).collect(),
            _ => d.keyword_span = span(&child),
        }
    }
    d
}

fn binder(p: Pair<Rule>) -> Binder {
    let mut inner = p.into_inner();
    let name = inner
        .next()
        .map(|n| spanned_str(&n))
        .unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
    let count = inner.next().map(|c| {
        let v = c.as_str().replace('_', "").parse::<u64>().unwrap_or(u64::MAX);
        Spanned::new(v, span(&c))
    });
    Binder { name, count }
}

fn setting(p: Pair<Rule>) -> Setting {
    let mut inner = p.into_inner();
    let key = inner
        .next()
        .map(|k| spanned_str(&k))
        .unwrap_or_else(|| Spanned::new(String::new(), Span::default()));
    let value = inner.next().map(expr).unwrap_or(Expr {
        kind: ExprKind::Bool(false),
        span: key.span,
    });
    Setting { key, value }
}

/// An `expr` pair into an expression tree.
pub fn expr(p: Pair<Rule>) -> Expr {
    PRATT
        .map_primary(postfixed)
        .map_prefix(|op, rhs| Expr {
            span: span(&op).join(rhs.span),
            kind: ExprKind::Neg(Box::new(rhs)),
        })
        .map_infix(|lhs, op, rhs| {
            let whole = lhs.span.join(rhs.span);
            let bin = match op.as_rule() {
                Rule::pipe => return pipe(lhs, rhs),
                Rule::add => BinOp::Add,
                Rule::sub => BinOp::Sub,
                Rule::mul => BinOp::Mul,
                _ => BinOp::Div,
            };
            Expr {
                kind: ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs)),
                span: whole,
            }
        })
        .parse(p.into_inner())
}

/// `lhs |> f(args)` becomes `f(lhs, args)`; `lhs |> f` becomes `f(lhs)`.
fn pipe(lhs: Expr, rhs: Expr) -> Expr {
    // The call points at what was written right of `|>`, as if written `f(lhs, ...)` there.
    let whole = rhs.span;
    let first = Arg { name: None, value: lhs };
    match rhs.kind {
        ExprKind::Call(callee, mut args) => {
            args.insert(0, first);
            Expr {
                kind: ExprKind::Call(callee, args),
                span: whole,
            }
        }
        _ => Expr {
            kind: ExprKind::Call(Box::new(rhs), vec![first]),
            span: whole,
        },
    }
}

fn postfixed(p: Pair<Rule>) -> Expr {
    let mut inner = p.into_inner();
    let Some(first) = inner.next() else {
        return Expr {
            kind: ExprKind::Bool(false),
            span: Span::default(),
        };
    };
    let mut e = primary(first);
    for post in inner {
        let s = e.span.join(span(&post));
        e = match post.as_rule() {
            Rule::call => Expr {
                kind: ExprKind::Call(Box::new(e), post.into_inner().map(arg).collect()),
                span: s,
            },
            _ => {
                let name = post
                    .into_inner()
                    .next()
                    .map(|n| spanned_str(&n))
                    .unwrap_or_else(|| Spanned::new(String::new(), s));
                Expr {
                    kind: ExprKind::Member(Box::new(e), name),
                    span: s,
                }
            }
        };
    }
    e
}

fn arg(p: Pair<Rule>) -> Arg {
    let Some(inner) = p.into_inner().next() else {
        return Arg {
            name: None,
            value: Expr {
                kind: ExprKind::Bool(false),
                span: Span::default(),
            },
        };
    };
    if inner.as_rule() == Rule::named_arg {
        let mut parts = inner.into_inner();
        let name = parts.next().map(|n| spanned_str(&n));
        let value = parts.next().map(expr).unwrap_or(Expr {
            kind: ExprKind::Bool(false),
            span: Span::default(),
        });
        Arg { name, value }
    } else {
        Arg {
            name: None,
            value: expr(inner),
        }
    }
}

fn primary(p: Pair<Rule>) -> Expr {
    let s = span(&p);
    let kind = match p.as_rule() {
        Rule::number => ExprKind::Number(p.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        Rule::string => {
            let raw = p.as_str();
            let body = &raw[1..raw.len() - 1];
            ExprKind::Str(body.replace("\\\"", "\"").replace("\\\\", "\\"))
        }
        Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
        Rule::list => ExprKind::List(p.into_inner().map(expr).collect()),
        Rule::tuple_or_group => {
            let items: Vec<Expr> = p.into_inner().map(expr).collect();
            if items.len() == 1 {
                return items
                    .into_iter()
                    .next()
                    .map(|mut e| {
                        e.span = s;
                        e
                    })
                    .unwrap_or(Expr {
                        kind: ExprKind::Tuple(vec![]),
                        span: s,
                    });
            }
            ExprKind::Tuple(items)
        }
        Rule::expr => return expr(p),
        _ => ExprKind::Name(p.as_str().to_string()),
    };
    Expr { kind, span: s }
}
