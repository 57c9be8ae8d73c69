//! Name resolution: the declarations' names, duplicates, and an evaluation order in which every
//! name is defined before use; cycles are reported with their whole path.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{Decl, DeclKind, Expr, ExprKind, Recipe};
use crate::decls::DataField;
use crate::diag::Diag;
use crate::span::Span;

/// Names of the data fields a source may provide.
pub const DATA_FIELDS: [&str; 4] = [
    DataField::ALL[0].name(),
    DataField::ALL[1].name(),
    DataField::ALL[2].name(),
    DataField::ALL[3].name(),
];

/// The declared names and an order to evaluate declarations in.
#[derive(Debug, Default)]
pub struct Resolved {
    /// name → (declaration index, span of the binder).
    pub names: BTreeMap<String, (usize, Span)>,
    /// Declaration indices in evaluation order (those on cycles left out).
    pub order: Vec<usize>,
    /// Names on a cycle: their uses are not reported again.
    pub cyclic: BTreeSet<String>,
}

/// Free names used by an expression, with the span of each use.
pub fn uses(e: &Expr, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        ExprKind::Name(n) => out.push((n.clone(), e.span)),
        ExprKind::List(items) | ExprKind::Tuple(items) => items.iter().for_each(|i| uses(i, out)),
        ExprKind::Neg(x) => uses(x, out),
        ExprKind::Binary(_, a, b) => {
            uses(a, out);
            uses(b, out);
        }
        ExprKind::Call(callee, args) => {
            uses(callee, out);
            args.iter().for_each(|a| uses(&a.value, out));
        }
        ExprKind::Member(base, _) => uses(base, out),
        ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) => {}
    }
}

fn decl_uses(d: &Decl) -> Vec<(String, Span)> {
    let mut out = vec![];
    d.value.iter().chain(d.weight.iter()).for_each(|e| uses(e, &mut out));
    d.settings.iter().for_each(|s| uses(&s.value, &mut out));
    out
}

/// What a name already denotes, if it is a data field or a built-in.
fn builtin_noun(name: &str) -> Option<String> {
    if DATA_FIELDS.contains(&name) {
        return Some("a data field".into());
    }
    crate::registry::lookup(name).map(|b| format!("a built-in {}", b.category.noun()))
}

/// Resolves names and orders declarations.
pub fn resolve(recipe: &Recipe, diags: &mut Vec<Diag>) -> Resolved {
    let mut r = Resolved::default();
    let mut blocks: BTreeMap<DeclKind, Span> = BTreeMap::new();
    let mut loss_names: BTreeMap<String, Span> = BTreeMap::new();
    for (i, d) in recipe.decls.iter().enumerate() {
        if matches!(d.kind, DeclKind::Data | DeclKind::Train | DeclKind::Optimizer) {
            if let Some(first) = blocks.get(&d.kind) {
                diags.push(Diag::DuplicateBlock {
                    keyword: d.kind.keyword().into(),
                    span: d.keyword_span,
                    first: *first,
                });
            } else {
                blocks.insert(d.kind, d.keyword_span);
            }
        }
        for b in &d.binders {
            let name = &b.name.node;
            if d.kind == DeclKind::Loss {
                // Loss names label terms; nothing refers to them, so they live apart.
                if let Some(first) = loss_names.get(name) {
                    diags.push(Diag::Duplicate {
                        name: name.clone(),
                        span: b.name.span,
                        first: *first,
                    });
                } else {
                    loss_names.insert(name.clone(), b.name.span);
                }
            } else if let Some((_, first)) = r.names.get(name) {
                diags.push(Diag::Duplicate {
                    name: name.clone(),
                    span: b.name.span,
                    first: *first,
                });
            } else if let Some(what) = builtin_noun(name) {
                diags.push(Diag::Shadows {
                    name: name.clone(),
                    what,
                    span: b.name.span,
                });
            } else {
                r.names.insert(name.clone(), (i, b.name.span));
            }
        }
    }
    for (kw, example) in [
        (DeclKind::Data, "data { source = scenes(size: 32) batch = 64 }"),
        (DeclKind::Optimizer, "optimizer = adamw(lr: 1e-3)"),
    ] {
        if !blocks.contains_key(&kw) {
            diags.push(Diag::MissingDecl {
                keyword: kw.keyword().into(),
                example: example.into(),
            });
        }
    }
    if !recipe.decls.iter().any(|d| d.kind == DeclKind::Loss) {
        diags.push(Diag::MissingDecl {
            keyword: "loss".into(),
            example: "loss l = neg_cosine(p, sg(t))".into(),
        });
    }

    // Depth-first search over declarations; a grey node met again closes a cycle.
    let deps: Vec<Vec<(usize, String, Span)>> = recipe
        .decls
        .iter()
        .map(|d| {
            decl_uses(d)
                .into_iter()
                .filter_map(|(n, s)| r.names.get(&n).map(|(i, _)| (*i, n, s)))
                .collect()
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        White,
        Grey,
        Black,
    }
    let mut mark = vec![Mark::White; recipe.decls.len()];
    let mut stack: Vec<(usize, String, Span)> = vec![];
    fn visit(
        i: usize,
        recipe: &Recipe,
        deps: &[Vec<(usize, String, Span)>],
        mark: &mut [Mark],
        stack: &mut Vec<(usize, String, Span)>,
        r: &mut Resolved,
        diags: &mut Vec<Diag>,
    ) {
        mark[i] = Mark::Grey;
        for (j, name, span) in &deps[i] {
            match mark[*j] {
                Mark::White => {
                    stack.push((i, name.clone(), *span));
                    visit(*j, recipe, deps, mark, stack, r, diags);
                    stack.pop();
                }
                Mark::Grey => {
                    // The cycle is the part of the stack from declaration j, closed by this use.
                    let start = stack.iter().position(|(d, _, _)| d == j).unwrap_or(stack.len());
                    let binder_name = |d: usize| {
                        recipe.decls[d]
                            .binders
                            .first()
                            .map(|b| b.name.node.clone())
                            .unwrap_or_default()
                    };
                    let mut path: Vec<(String, Span)> =
                        stack[start..].iter().map(|(d, _, s)| (binder_name(*d), *s)).collect();
                    path.push((binder_name(i), *span));
                    path.push((name.clone(), *span));
                    for (n, _) in &path {
                        r.cyclic.insert(n.clone());
                    }
                    diags.push(Diag::Cycle { path });
                }
                Mark::Black => {}
            }
        }
        mark[i] = Mark::Black;
        let on_cycle = recipe.decls[i].binders.iter().any(|b| r.cyclic.contains(&b.name.node));
        if !on_cycle {
            r.order.push(i);
        }
    }
    // Data first: every field depends on it.
    let data_first = recipe.decls.iter().position(|d| d.kind == DeclKind::Data);
    let starts = data_first.into_iter().chain(0..recipe.decls.len());
    for i in starts {
        if mark[i] == Mark::White {
            visit(i, recipe, &deps, &mut mark, &mut stack, &mut r, diags);
        }
    }
    r
}
