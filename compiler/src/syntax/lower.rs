//! Lowers pest pairs into the syntax tree, desugaring `a |> f(x)` into `f(a, x)`. The grammar
//! decides every shape seen here; a pair of a shape the tree has no place for is a bug of this
//! file, returned as `Unexpected` (never papered over with an invented value).

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

/// A pair the grammar produced where the syntax tree has no place for it: what was expected,
/// what came (a rule, or nothing), and where.
#[derive(Debug)]
pub struct Unexpected {
    pub expected: &'static str,
    pub found: String,
    pub span: Span,
}

type Lowered<T> = Result<T, Unexpected>;

fn span(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn spanned_str(p: &Pair<Rule>) -> Spanned<String> {
    Spanned::new(p.as_str().to_string(), span(p))
}

/// The next pair of `inner`, which the grammar guarantees; `at` is the parent's span.
fn next<'a>(inner: &mut Pairs<'a, Rule>, expected: &'static str, at: Span) -> Lowered<Pair<'a, Rule>> {
    inner.next().ok_or(Unexpected {
        expected,
        found: "nothing".into(),
        span: at,
    })
}

fn unexpected<T>(expected: &'static str, p: &Pair<Rule>) -> Lowered<T> {
    Err(Unexpected {
        expected,
        found: format!("{:?}", p.as_rule()),
        span: span(p),
    })
}

/// The recipe rule's pairs into a `Recipe`.
pub fn recipe(mut pairs: Pairs<Rule>) -> Lowered<Recipe> {
    let top = next(&mut pairs, "a recipe", Span::default())?;
    let decls = top
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(decl)
        .collect::<Lowered<_>>()?;
    Ok(Recipe { decls })
}

fn decl(p: Pair<Rule>) -> Lowered<Decl> {
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
        Rule::job_decl => DeclKind::Job,
        _ => return unexpected("a declaration", &p),
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
            Rule::binders => d.binders = child.into_inner().map(binder).collect::<Lowered<_>>()?,
            Rule::binder => d.binders.push(binder(child)?),
            Rule::expr => d.value = Some(expr(child)?),
            Rule::loss_weight => {
                let at = span(&child);
                let weight = child
                    .into_inner()
                    .find(|c| c.as_rule() == Rule::expr)
                    .ok_or(Unexpected {
                        expected: "a weight",
                        found: "nothing".into(),
                        span: at,
                    })?;
                d.weight = Some(expr(weight)?);
            }
            Rule::settings => d.settings = child.into_inner().map(setting).collect::<Lowered<_>>()?,
            _ => d.keyword_span = span(&child),
        }
    }
    Ok(d)
}

fn binder(p: Pair<Rule>) -> Lowered<Binder> {
    let at = span(&p);
    let mut inner = p.into_inner();
    let name = spanned_str(&next(&mut inner, "a name", at)?);
    // Digits beyond u64 are a real input: u64::MAX is then refused as too large downstream.
    let count = inner.next().map(|c| {
        let v = c.as_str().replace('_', "").parse::<u64>().unwrap_or(u64::MAX);
        Spanned::new(v, span(&c))
    });
    Ok(Binder { name, count })
}

fn setting(p: Pair<Rule>) -> Lowered<Setting> {
    let at = span(&p);
    let mut inner = p.into_inner();
    let key = spanned_str(&next(&mut inner, "a setting's name", at)?);
    let value = expr(next(&mut inner, "a setting's value", at)?)?;
    Ok(Setting { key, value })
}

/// An `expr` pair into an expression tree.
pub fn expr(p: Pair<Rule>) -> Lowered<Expr> {
    PRATT
        .map_primary(postfixed)
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            Ok(Expr {
                span: span(&op).join(rhs.span),
                kind: ExprKind::Neg(Box::new(rhs)),
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let whole = lhs.span.join(rhs.span);
            let bin = match op.as_rule() {
                Rule::pipe => return Ok(pipe(lhs, rhs)),
                Rule::add => BinOp::Add,
                Rule::sub => BinOp::Sub,
                Rule::mul => BinOp::Mul,
                Rule::div => BinOp::Div,
                _ => return unexpected("an operator", &op),
            };
            Ok(Expr {
                kind: ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs)),
                span: whole,
            })
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

fn postfixed(p: Pair<Rule>) -> Lowered<Expr> {
    let at = span(&p);
    let mut inner = p.into_inner();
    let mut e = primary(next(&mut inner, "a value", at)?)?;
    for post in inner {
        let s = e.span.join(span(&post));
        e = match post.as_rule() {
            Rule::call => Expr {
                kind: ExprKind::Call(Box::new(e), post.into_inner().map(arg).collect::<Lowered<_>>()?),
                span: s,
            },
            Rule::member => {
                let name = spanned_str(&next(&mut post.into_inner(), "a member's name", s)?);
                Expr {
                    kind: ExprKind::Member(Box::new(e), name),
                    span: s,
                }
            }
            _ => return unexpected("a call or a member", &post),
        };
    }
    Ok(e)
}

fn arg(p: Pair<Rule>) -> Lowered<Arg> {
    let at = span(&p);
    let inner = next(&mut p.into_inner(), "an argument", at)?;
    if inner.as_rule() == Rule::named_arg {
        let at = span(&inner);
        let mut parts = inner.into_inner();
        let name = Some(spanned_str(&next(&mut parts, "an argument's name", at)?));
        let value = expr(next(&mut parts, "an argument's value", at)?)?;
        Ok(Arg { name, value })
    } else {
        Ok(Arg {
            name: None,
            value: expr(inner)?,
        })
    }
}

fn primary(p: Pair<Rule>) -> Lowered<Expr> {
    let s = span(&p);
    let kind = match p.as_rule() {
        // Digits the grammar accepts always parse (to infinity when too large, refused downstream).
        Rule::number => match p.as_str().replace('_', "").parse() {
            Ok(v) => ExprKind::Number(v),
            Err(_) => return unexpected("a number", &p),
        },
        Rule::string => {
            let raw = p.as_str();
            let body = &raw[1..raw.len() - 1];
            ExprKind::Str(body.replace("\\\"", "\"").replace("\\\\", "\\"))
        }
        Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
        Rule::list => ExprKind::List(p.into_inner().map(expr).collect::<Lowered<_>>()?),
        Rule::tuple_or_group => {
            let mut items: Vec<Expr> = p.into_inner().map(expr).collect::<Lowered<_>>()?;
            if items.len() == 1 {
                let mut e = items.remove(0);
                e.span = s;
                return Ok(e);
            }
            ExprKind::Tuple(items)
        }
        Rule::expr => return expr(p),
        Rule::ident => ExprKind::Name(p.as_str().to_string()),
        _ => return unexpected("a value", &p),
    };
    Ok(Expr { kind, span: s })
}
