//! A built-in's arguments once bound: each parameter's value (given or default) with where it
//! was written, read by name as the type the parameter declared.

use petgraph::graph::NodeIndex;

use crate::diag::Diag;
use crate::span::Span;
use crate::types::Ty;
use crate::value::{Config, Schedule, Value};

/// Arguments bound to parameters, defaults filled in, all checked against their types.
#[derive(Clone, Debug)]
pub struct Args {
    pub builtin: &'static str,
    /// The whole call.
    pub span: Span,
    /// Every parameter with a value (given or default), in declaration order.
    pub values: Vec<(&'static str, Value, Span)>,
    /// Extra positional arguments of a variadic built-in.
    pub rest: Vec<(Value, Span)>,
    /// Names the user wrote (as opposed to defaults).
    pub given: Vec<&'static str>,
}

impl Args {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _, _)| *n == name).map(|(_, v, _)| v)
    }

    pub fn span_of(&self, name: &str) -> Span {
        self.values
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, s)| *s)
            .unwrap_or(self.span)
    }

    pub fn is_given(&self, name: &str) -> bool {
        self.given.contains(&name)
    }

    /// A tensor argument; an error if it is absent.
    pub fn tensor(&self, name: &str) -> Result<(&Ty, Span), Diag> {
        match self.get(name) {
            Some(Value::Tensor(_, ty)) => Ok((ty, self.span_of(name))),
            _ => Err(Diag::MissingParam {
                builtin: self.builtin.into(),
                param: name.into(),
                span: self.span,
            }),
        }
    }

    /// A tensor argument that may be absent.
    pub fn tensor_opt(&self, name: &str) -> Option<(&Ty, Span)> {
        self.tensor(name).ok()
    }

    pub fn tensor_or_default(&self, name: &str) -> (Option<&Ty>, Span) {
        match self.tensor(name) {
            Ok((t, s)) => (Some(t), s),
            Err(_) => (None, self.span),
        }
    }

    /// Graph nodes of the tensor arguments, with the parameter names (edge ports).
    pub fn inputs(&self) -> Vec<(String, NodeIndex, Span)> {
        let mut v: Vec<_> = self
            .values
            .iter()
            .filter_map(|(n, val, s)| match val {
                Value::Tensor(ix, _) => Some((n.to_string(), *ix, *s)),
                _ => None,
            })
            .collect();
        v.extend(self.rest.iter().enumerate().filter_map(|(i, (val, s))| match val {
            Value::Tensor(ix, _) => Some((format!("arg{i}"), *ix, *s)),
            _ => None,
        }));
        v
    }

    pub fn num(&self, name: &str) -> f64 {
        match self.get(name) {
            Some(Value::Num(n)) => *n,
            Some(Value::Schedule(Schedule::Constant { value })) => *value,
            _ => 0.0,
        }
    }

    pub fn int(&self, name: &str) -> u64 {
        self.num(name).max(0.0) as u64
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Bool(true)))
    }

    pub fn pair(&self, name: &str) -> (f64, f64) {
        match self.get(name) {
            Some(Value::Tuple(v)) if v.len() == 2 => match (&v[0], &v[1]) {
                (Value::Num(a), Value::Num(b)) => (*a, *b),
                _ => (0.0, 0.0),
            },
            Some(Value::Num(n)) => (*n, *n),
            _ => (0.0, 0.0),
        }
    }

    pub fn str(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }

    pub fn schedule(&self, name: &str) -> Option<Schedule> {
        match self.get(name) {
            Some(Value::Num(n)) => Some(Schedule::Constant { value: *n }),
            Some(Value::Schedule(s)) => Some(s.clone()),
            _ => None,
        }
    }

    /// The constant arguments as a configuration (tensors left out).
    pub fn config(&self) -> Config {
        let mut params: Vec<_> = self
            .values
            .iter()
            .filter_map(|(n, v, _)| v.to_param().map(|p| (n.to_string(), p)))
            .collect();
        for (i, (v, _)) in self.rest.iter().enumerate() {
            if let Some(p) = v.to_param() {
                params.push((format!("arg{i}"), p));
            }
        }
        Config {
            builtin: self.builtin.into(),
            params,
            tensors: self.inputs().into_iter().map(|(n, ix, _)| (n, ix)).collect(),
        }
    }
}
