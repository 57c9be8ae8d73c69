//! Expression evaluation: folds constants, checks calls against the registry, and adds a
//! typed node to the graph for every run-time value.

mod arith;
mod net_call;

use std::collections::BTreeMap;

use petgraph::graph::NodeIndex;

use super::{Edge, Graph, Node, NodeKind};
use crate::ast::{BinOp, Expr, ExprKind};
use crate::diag::{Diag, did_you_mean};
use crate::registry::{self, ArgIn, Category, Out};
use crate::resolve::{DATA_FIELDS, Resolved};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

/// The state of graph building.
pub struct Builder<'r> {
    pub graph: Graph,
    pub env: BTreeMap<String, Value>,
    pub diags: Vec<Diag>,
    pub resolved: &'r Resolved,
    /// Types of the data fields, from the source.
    pub field_types: BTreeMap<&'static str, Ty>,
    fields: BTreeMap<String, NodeIndex>,
    /// A count from `view local[2]`, applied to the first view op of the declaration.
    pub pending_count: Option<u64>,
    /// The arguments of the last network built-in evaluated.
    pub network_args: Option<registry::Args>,
    /// The names of every `network` declaration, evaluated yet or not.
    pub declared_nets: std::collections::BTreeSet<String>,
    /// Undefined names reported so far.
    undefined: usize,
    /// The data source was written but is in error (already reported).
    pub source_failed: bool,
}

/// How many undefined names get a "did you mean".
const SUGGESTED_UNDEFINED: usize = 100;

impl<'r> Builder<'r> {
    pub fn new(resolved: &'r Resolved) -> Self {
        Builder {
            graph: Graph::default(),
            env: BTreeMap::new(),
            diags: vec![],
            resolved,
            field_types: BTreeMap::new(),
            fields: BTreeMap::new(),
            pending_count: None,
            network_args: None,
            declared_nets: Default::default(),
            undefined: 0,
            source_failed: false,
        }
    }

    fn node(&mut self, kind: NodeKind, ty: Option<Ty>, span: Span) -> NodeIndex {
        self.graph.g.add_node(Node {
            kind,
            ty,
            span,
            name: None,
        })
    }

    fn connect(&mut self, from: NodeIndex, to: NodeIndex, port: &str) {
        self.graph.g.add_edge(from, to, Edge { port: port.into() });
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr) -> Value {
        match &e.kind {
            ExprKind::Number(n) => self.finite(*n, e.span),
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::List(items) => Value::List(items.iter().map(|i| self.eval(i)).collect()),
            ExprKind::Tuple(items) => Value::Tuple(items.iter().map(|i| self.eval(i)).collect()),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Neg(x) => {
                let v = self.eval(x);
                self.arith(BinOp::Mul, Value::Num(-1.0), v, e.span, x.span, x.span)
            }
            ExprKind::Binary(op, a, b) => {
                let va = self.eval(a);
                let vb = self.eval(b);
                self.arith(*op, va, vb, e.span, a.span, b.span)
            }
            ExprKind::Member(base, member) => match self.eval(base) {
                Value::Branch(b) => {
                    let nets = self.graph.branch(&b).map(|br| br.nets.clone()).unwrap_or_default();
                    if nets.contains(&member.node) {
                        Value::BranchNet {
                            branch: b,
                            net: member.node.clone(),
                        }
                    } else {
                        self.diags.push(Diag::NoSuchNetwork {
                            branch: b,
                            network: member.node.clone(),
                            span: member.span,
                            // A declared network missing from the branch is meant as written:
                            // the help says to add it, not to use another network.
                            suggestion: (!self.declared_nets.contains(&member.node))
                                .then(|| did_you_mean(&member.node, nets.iter().map(String::as_str)))
                                .flatten(),
                        });
                        Value::Poison
                    }
                }
                Value::Poison => Value::Poison,
                other => {
                    self.diags.push(Diag::WrongType {
                        what: format!("the left of `.{}`", member.node),
                        expected: "a branch".into(),
                        found: other.describe(),
                        span: base.span,
                    });
                    Value::Poison
                }
            },
            ExprKind::Call(callee, args) => {
                let f = self.eval(callee);
                let args: Vec<ArgIn> = args
                    .iter()
                    .map(|a| ArgIn {
                        name: a.name.clone(),
                        value: self.eval(&a.value),
                        span: a.value.span,
                    })
                    .collect();
                self.call(f, args, e.span, callee.span)
            }
        }
    }

    fn name(&mut self, n: &str, span: Span) -> Value {
        if let Some(v) = self.env.get(n) {
            return v.clone();
        }
        if self.resolved.names.contains_key(n) {
            // Declared but failed (or on a cycle): already reported.
            return Value::Poison;
        }
        if let Some(field) = DATA_FIELDS.iter().find(|f| **f == n) {
            if let Some(ix) = self.fields.get(n) {
                return Value::Tensor(*ix, self.graph.g[*ix].ty.clone().unwrap_or(Ty::Geometry));
            }
            let Some(ty) = self.field_types.get(field).cloned() else {
                if self.source_failed {
                    // The source itself is in error: say nothing more of its fields.
                    return Value::Poison;
                }
                self.diags.push(Diag::WrongType {
                    what: format!("`{n}`"),
                    expected: "a field of the data source".into(),
                    found: "not provided by this source".into(),
                    span,
                });
                return Value::Poison;
            };
            let ix = self.node(NodeKind::Input { field: n.into() }, Some(ty.clone()), span);
            self.graph.g[ix].name = Some(n.into());
            self.fields.insert(n.into(), ix);
            return Value::Tensor(ix, ty);
        }
        if let Some(b) = registry::lookup(n) {
            return Value::Builtin(b.name);
        }
        // Each suggestion compares against every name: past a hundred undefined names (a
        // generated or garbled file) they stop, so the errors still come in linear time.
        self.undefined += 1;
        let suggestion = (self.undefined <= SUGGESTED_UNDEFINED)
            .then(|| {
                let candidates = self
                    .resolved
                    .names
                    .keys()
                    .map(String::as_str)
                    .chain(DATA_FIELDS)
                    .chain(registry::all().map(|b| b.name));
                did_you_mean(n, candidates)
            })
            .flatten();
        self.diags.push(Diag::Undefined {
            name: n.into(),
            span,
            suggestion,
        });
        Value::Poison
    }

    fn call(&mut self, f: Value, args: Vec<ArgIn>, span: Span, callee_span: Span) -> Value {
        match f {
            Value::Poison => Value::Poison,
            Value::Builtin(name) => {
                // `ema(x)` of a run-time value is the value form, `ema(branch)` the branch kind.
                let on_value = args
                    .iter()
                    .find(|a| a.name.as_ref().is_none_or(|n| n.node == "x"))
                    .is_some_and(|a| matches!(a.value, Value::Tensor(..)));
                let Some(b) = registry::lookup_call(name, on_value) else {
                    return Value::Poison;
                };
                if args.iter().any(|a| matches!(a.value, Value::Poison)) {
                    return Value::Poison;
                }
                let Some(bound) = registry::bind(b, b.params, args, span, &mut self.diags) else {
                    return Value::Poison;
                };
                if b.category == Category::Network {
                    self.network_args = Some(bound.clone());
                }
                match (b.rule)(&bound) {
                    Err(mut d) => {
                        // Where the inputs disagree in width, say what set each width; a count
                        // of views or a kind of value that is wrong owes nothing to a width.
                        let widths: std::collections::BTreeSet<u64> = bound
                            .inputs()
                            .iter()
                            .filter_map(|(_, ix, _)| match self.graph.g[*ix].ty.as_ref()? {
                                Ty::Bank { dim, .. } => Some(*dim),
                                t => t.feature_dim(),
                            })
                            .collect();
                        if let Diag::ShapeMismatch { because, .. } = &mut d
                            && widths.len() > 1
                        {
                            *because = self.shape_sources(&bound);
                        }
                        self.diags.push(d);
                        Value::Poison
                    }
                    Ok(Out::Value(v)) => v,
                    Ok(Out::Tensor(mut ty)) => {
                        let params = bound.config().params;
                        // `view local[4]`: the first op draws four views; its type says so
                        // (`mask m[2]`: a mask per view).
                        if matches!(b.category, Category::View | Category::Mask)
                            && let Some(count) = self.pending_count.take()
                        {
                            ty = ty.with_count(ty.count() * count);
                        }
                        let ix = self.node(
                            NodeKind::Op {
                                op: name.into(),
                                params,
                            },
                            Some(ty.clone()),
                            span,
                        );
                        for (port, from, _) in bound.inputs() {
                            self.connect(from, ix, &port);
                        }
                        Value::Tensor(ix, ty)
                    }
                    Ok(Out::Tensors(tys)) => {
                        let ix = self.node(
                            NodeKind::Op {
                                op: name.into(),
                                params: bound.config().params,
                            },
                            None,
                            span,
                        );
                        for (port, from, _) in bound.inputs() {
                            self.connect(from, ix, &port);
                        }
                        let parts = tys
                            .into_iter()
                            .enumerate()
                            .map(|(index, ty)| {
                                let p = self.node(NodeKind::Part { index }, Some(ty.clone()), span);
                                self.connect(ix, p, "all");
                                Value::Tensor(p, ty)
                            })
                            .collect();
                        Value::Tuple(parts)
                    }
                }
            }
            Value::BranchNet { branch, net } => self.net_call(branch, net, args, span),
            Value::Network(network) => {
                self.diags.push(Diag::NetworkOutsideBranch {
                    network,
                    span: callee_span,
                });
                Value::Poison
            }
            other => {
                self.diags.push(Diag::WrongType {
                    what: "a called value".into(),
                    expected: "a built-in or a network of a branch".into(),
                    found: other.describe(),
                    span: callee_span,
                });
                Value::Poison
            }
        }
    }
}
