//! Builds the graph from the resolved recipe: one declaration at a time, in dependency order.

use super::eval::Builder;
use super::settings::{data, expect_config, train};
use super::{Branch, BranchKind, Declared, Graph, Network, NodeKind};
use crate::ast::{Decl, DeclKind, Recipe};
use crate::diag::{Diag, did_you_mean};
use crate::registry::Category;
use crate::resolve::Resolved;
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Param, Schedule, Value};

/// Evaluates every declaration into the graph; problems go to `diags`.
pub fn build(recipe: &Recipe, resolved: &Resolved, diags: &mut Vec<Diag>) -> Graph {
    let mut b = Builder::new(resolved);
    b.declared_nets = recipe
        .decls
        .iter()
        .filter(|d| d.kind == crate::ast::DeclKind::Network)
        .flat_map(|d| d.binders.iter().map(|n| n.name.node.clone()))
        .collect();
    for &i in &resolved.order {
        declaration(&mut b, &recipe.decls[i]);
    }
    diags.append(&mut b.diags);
    b.graph
}

fn declaration(b: &mut Builder, d: &Decl) {
    let name = d.binders.first().map(|x| x.name.node.clone()).unwrap_or_default();
    let name_span = d.binders.first().map(|x| x.name.span).unwrap_or(d.keyword_span);
    match d.kind {
        DeclKind::Data => data(b, d),
        DeclKind::Train => train(b, d),
        DeclKind::Optimizer => {
            if let Some(e) = &d.value {
                let v = b.eval(e);
                b.graph.optimizer = expect_config(b, v, Category::Optimizer, "`optimizer`", e.span);
                b.graph.setting_spans.insert("optimizer".into(), e.span);
            }
        }
        DeclKind::Network => {
            let Some(e) = &d.value else { return };
            let v = b.eval(e);
            let Some(config) = expect_config(b, v, Category::Network, &format!("network `{name}`"), e.span) else {
                b.env.insert(name, Value::Poison);
                return;
            };
            // The bound arguments feed the shape rules of calls.
            let args = b.network_args.take();
            b.graph.networks.insert(
                name.clone(),
                Network {
                    config,
                    input: None,
                    span: name_span,
                    args,
                    first_use: None,
                },
            );
            b.env.insert(name.clone(), Value::Network(name));
        }
        DeclKind::Branch => branch(b, d, name, name_span),
        DeclKind::View | DeclKind::Mask | DeclKind::Let => {
            let Some(e) = &d.value else { return };
            let count = d.binders.first().and_then(|x| x.count.clone());
            if let Some(c) = &count
                && c.node == 0
            {
                b.diags.push(Diag::OutOfRange {
                    param: name.clone(),
                    value: 0.0,
                    range: "at least 1".into(),
                    span: c.span,
                });
            }
            b.pending_count = count.map(|c| c.node.max(1)).filter(|c| *c > 1);
            let v = b.eval(e);
            b.pending_count = None;
            bind_names(b, d, v, e.span);
        }
        DeclKind::Loss => loss(b, d, name, name_span),
        DeclKind::Job => {
            let Some(e) = &d.value else { return };
            let v = b.eval(e);
            if let Some(c) = expect_config(b, v, Category::Job, &format!("job `{name}`"), e.span) {
                b.graph.setting_spans.insert(format!("job {name}"), e.span);
                b.graph.jobs.push((name, c));
            }
        }
    }
}

/// Binds the names of a view, mask or let declaration, checking kinds.
fn bind_names(b: &mut Builder, d: &Decl, v: Value, span: Span) {
    let values = match (&v, d.binders.len()) {
        (Value::Tuple(items), n) if n > 1 => {
            if items.len() != n {
                b.diags.push(Diag::WrongType {
                    what: format!("`{}` declaration of {n} names", d.kind.keyword()),
                    expected: format!("{n} values"),
                    found: v.describe(),
                    span,
                });
                return;
            }
            items.clone()
        }
        (_, 1) => vec![v.clone()],
        (Value::Poison, _) => vec![Value::Poison; d.binders.len()],
        _ => {
            b.diags.push(Diag::WrongType {
                what: format!("`{}` declaration of {} names", d.kind.keyword(), d.binders.len()),
                expected: format!("{} values", d.binders.len()),
                found: v.describe(),
                span,
            });
            vec![Value::Poison; d.binders.len()]
        }
    };
    for (binder, value) in d.binders.iter().zip(values) {
        let name = binder.name.node.clone();
        let ok = matches!(
            (&d.kind, &value),
            (_, Value::Poison)
                | (DeclKind::View, Value::Tensor(_, Ty::Image { .. }))
                | (DeclKind::Mask, Value::Tensor(_, Ty::Mask { .. }))
                | (DeclKind::Let, _)
        );
        if !ok {
            let expected = if d.kind == DeclKind::View {
                "an image (a view op)"
            } else {
                "a mask (a mask built-in)"
            };
            b.diags.push(Diag::WrongType {
                what: format!("{} `{name}`", d.kind.keyword()),
                expected: expected.into(),
                found: value.describe(),
                span,
            });
            b.env.insert(name, Value::Poison);
            continue;
        }
        if let Value::Tensor(ix, _) = &value {
            if b.graph.g[*ix].name.is_none() {
                b.graph.g[*ix].name = Some(name.clone());
            }
            b.graph.declared.push(Declared {
                kind: d.kind.keyword(),
                name: name.clone(),
                span: binder.name.span,
                nodes: vec![*ix],
            });
        }
        b.env.insert(name, value);
    }
}

fn branch(b: &mut Builder, d: &Decl, name: String, span: Span) {
    let Some(e) = &d.value else { return };
    let v = b.eval(e);
    let Some(c) = expect_config(b, v, Category::Branch, &format!("branch `{name}`"), e.span) else {
        b.env.insert(name, Value::Poison);
        return;
    };
    let nets_of = |c: &Config, key: &str| -> Vec<String> {
        c.params
            .iter()
            .filter(|(n, _)| n.starts_with("arg") || n == key)
            .flat_map(|(_, p)| match p {
                Param::Str(s) => vec![s.clone()],
                Param::List(items) => items
                    .iter()
                    .filter_map(|i| if let Param::Str(s) = i { Some(s.clone()) } else { None })
                    .collect(),
                _ => vec![],
            })
            .collect()
    };
    let (kind, nets) = match c.builtin.as_str() {
        "ema" => {
            let source = c
                .params
                .iter()
                .find(|(n, _)| n == "source")
                .and_then(|(_, p)| if let Param::Str(s) = p { Some(s.clone()) } else { None })
                .unwrap_or_default();
            let momentum = c
                .params
                .iter()
                .find(|(n, _)| n == "momentum")
                .and_then(|(_, p)| match p {
                    Param::Num(v) => Some(Schedule::Constant { value: *v }),
                    Param::Schedule(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or(Schedule::Constant { value: 0.996 });
            let Some(src) = b.graph.branch(&source).cloned() else {
                b.env.insert(name, Value::Poison);
                return;
            };
            let mut nets = nets_of(&c, "nets");
            if nets.is_empty() {
                nets = src.nets.clone();
            }
            for n in &nets {
                if !src.nets.contains(n) {
                    b.diags.push(Diag::NoSuchNetwork {
                        branch: source.clone(),
                        network: n.clone(),
                        span: e.span,
                        suggestion: (!b.declared_nets.contains(n))
                            .then(|| did_you_mean(n, src.nets.iter().map(String::as_str)))
                            .flatten(),
                    });
                }
            }
            (BranchKind::Ema { source, momentum }, nets)
        }
        "frozen" => (BranchKind::Frozen, nets_of(&c, "")),
        _ => (BranchKind::Trainable, nets_of(&c, "")),
    };
    b.graph.branches.push(Branch {
        name: name.clone(),
        kind,
        nets,
        span,
    });
    b.graph.declared.push(Declared {
        kind: "branch",
        name: name.clone(),
        span,
        nodes: vec![],
    });
    b.env.insert(name.clone(), Value::Branch(name));
}

fn loss(b: &mut Builder, d: &Decl, name: String, span: Span) {
    let Some(e) = &d.value else { return };
    let weight = match &d.weight {
        None => Schedule::Constant { value: 1.0 },
        Some(w) => match b.eval(w) {
            Value::Num(v) => Schedule::Constant { value: v },
            Value::Schedule(s) => s,
            Value::Poison => return,
            other => {
                b.diags.push(Diag::WrongType {
                    what: format!("the weight of loss `{name}`"),
                    expected: "a number or a schedule".into(),
                    found: other.describe(),
                    span: w.span,
                });
                return;
            }
        },
    };
    match b.eval(e) {
        Value::Tensor(ix, ty) => {
            if !ty.is_scalar() {
                b.diags.push(Diag::LossNotScalar {
                    loss: name,
                    found: ty.to_string(),
                    span: e.span,
                });
                return;
            }
            let l = b.graph.g.add_node(super::Node {
                kind: NodeKind::Loss {
                    name: name.clone(),
                    weight,
                },
                ty: Some(ty),
                span,
                name: Some(name),
            });
            b.graph.g.add_edge(ix, l, super::Edge { port: "value".into() });
        }
        Value::Poison => {}
        other => b.diags.push(Diag::LossNotScalar {
            loss: name,
            found: other.describe(),
            span: e.span,
        }),
    }
}
