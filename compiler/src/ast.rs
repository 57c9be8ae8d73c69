//! The typed syntax tree of a recipe: what the user wrote, with a span on every node.
//!
//! Only `syntax` builds it and only `resolve`/`graph::build` read it; nothing after the graph
//! sees it.

use crate::span::{Span, Spanned};

/// A parsed recipe: its declarations in source order.
#[derive(Clone, Debug, Default)]
pub struct Recipe {
    pub decls: Vec<Decl>,
}

/// What kind of thing a declaration introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclKind {
    Data,
    View,
    Mask,
    Network,
    Branch,
    Let,
    Loss,
    Optimizer,
    Train,
    Job,
}

impl DeclKind {
    /// The keyword that introduces it.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Data => "data",
            DeclKind::View => "view",
            DeclKind::Mask => "mask",
            DeclKind::Network => "network",
            DeclKind::Branch => "branch",
            DeclKind::Let => "let",
            DeclKind::Loss => "loss",
            DeclKind::Optimizer => "optimizer",
            DeclKind::Train => "train",
            DeclKind::Job => "job",
        }
    }
}

/// A name introduced by a declaration, with an optional count (`local[2]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Binder {
    pub name: Spanned<String>,
    pub count: Option<Spanned<u64>>,
}

/// One top-level declaration.
#[derive(Clone, Debug)]
pub struct Decl {
    pub kind: DeclKind,
    /// Names introduced (empty for `data`, `optimizer`, `train`).
    pub binders: Vec<Binder>,
    /// The right-hand side (absent for settings blocks).
    pub value: Option<Expr>,
    /// `loss x weight w = ...`.
    pub weight: Option<Expr>,
    /// `key = value` lines of `data { }` and `train { }`.
    pub settings: Vec<Setting>,
    /// The whole declaration.
    pub span: Span,
    /// The keyword.
    pub keyword_span: Span,
}

/// `key = value` inside a settings block.
#[derive(Clone, Debug)]
pub struct Setting {
    pub key: Spanned<String>,
    pub value: Expr,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// Binary arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl std::fmt::Display for BinOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Written as its symbol, as the graph's YAML shows it.
impl serde::Serialize for BinOp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// The forms of expressions. Pipes are already desugared into calls.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Str(String),
    Bool(bool),
    Name(String),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `callee(args)`.
    Call(Box<Expr>, Vec<Arg>),
    /// `base.name`.
    Member(Box<Expr>, Spanned<String>),
}

/// A call argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Spanned<String>>,
    pub value: Expr,
}
