//! Binding call arguments to a built-in's parameters: names, counts, types, ranges, defaults.

use super::args::Args;
use super::{Builtin, PTy, Param};
use crate::diag::{Diag, did_you_mean};
use crate::span::{Span, Spanned};
use crate::value::Value;

/// One evaluated argument as written at a call site.
#[derive(Clone, Debug)]
pub struct ArgIn {
    pub name: Option<Spanned<String>>,
    pub value: Value,
    pub span: Span,
}

/// Parses a default as written in the registry.
fn default_value(text: &str) -> Option<Value> {
    let t = text.trim();
    if t == "none" {
        return None;
    }
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        let items: Option<Vec<Value>> = inner
            .split(',')
            .map(|p| p.trim().parse().ok().map(Value::Num))
            .collect();
        return items.map(Value::Tuple);
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        let items: Vec<Value> = inner
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| Value::Str(p.trim().into()))
            .collect();
        return Some(Value::List(items));
    }
    if t == "true" || t == "false" {
        return Some(Value::Bool(t == "true"));
    }
    if let Some(s) = t.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Some(Value::Str(s.into()));
    }
    t.parse().ok().map(Value::Num)
}

/// `(network, factor)`, as a list of per-network factors holds them.
fn is_net_factor(v: &Value) -> bool {
    match v {
        Value::Poison => true,
        Value::Tuple(pair) => {
            pair.len() == 2
                && matches!(pair[0], Value::Network(_) | Value::Poison)
                && matches!(pair[1], Value::Num(_) | Value::Poison)
        }
        _ => false,
    }
}

/// Checks a value against a parameter type; converts where the language allows.
fn coerce(p: &Param, v: Value, span: Span, builtin: &str) -> Result<Value, Diag> {
    let wrong = |v: &Value| Diag::WrongType {
        what: format!("`{}` of `{builtin}`", p.name),
        expected: p.ty.describe(),
        found: v.describe(),
        span,
    };
    if matches!(v, Value::Poison) {
        return Ok(v);
    }
    let v = match (p.ty, v) {
        (PTy::Tensor, v @ Value::Tensor(..)) => v,
        (PTy::Num, v @ Value::Num(_)) => v,
        (PTy::Int, Value::Num(n)) if n.fract() == 0.0 && n.abs() > super::MAX_INT => {
            return Err(Diag::OutOfRange {
                param: p.name.into(),
                value: n,
                range: format!("an integer of at most {} in size", super::MAX_INT),
                span,
            });
        }
        (PTy::Int, Value::Num(n)) if n.fract() == 0.0 => Value::Num(n),
        (PTy::Bool, v @ Value::Bool(_)) => v,
        (PTy::Str, v @ Value::Str(_)) => v,
        (PTy::Sched, v @ (Value::Num(_) | Value::Schedule(_))) => v,
        (PTy::ScheduleOnly, v @ Value::Schedule(_)) => v,
        (PTy::Pair | PTy::NumOrPair, Value::Tuple(items))
            if items.len() == 2 && items.iter().all(|i| matches!(i, Value::Num(_))) =>
        {
            Value::Tuple(items)
        }
        (PTy::NumOrPair, v @ Value::Num(_)) => v,
        (PTy::Network, v @ Value::Network(_)) => v,
        (PTy::Branch, v @ Value::Branch(_)) => v,
        (PTy::Branch, v) => {
            return Err(Diag::EmaSourceNotBranch {
                found: v.describe(),
                span,
            });
        }
        (PTy::BranchNet | PTy::Probed, v @ Value::BranchNet { .. }) => v,
        (PTy::Probed, v @ Value::Tensor(..)) => v,
        (PTy::Networks, Value::List(items)) if items.iter().all(|i| matches!(i, Value::Network(_) | Value::Poison)) => {
            Value::List(items)
        }
        (PTy::NetFactors, Value::List(items)) if items.iter().all(is_net_factor) => Value::List(items),
        (PTy::Numbers, Value::List(items)) if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Num(_))) => {
            Value::List(items)
        }
        (PTy::Choice(words), Value::Str(s)) if words.contains(&s.as_str()) => Value::Str(s),
        (PTy::Choice(_), v @ Value::Str(_)) => return Err(wrong(&v)),
        (_, v) => return Err(wrong(&v)),
    };
    if let Some(limit) = p.limit {
        let nums: Vec<f64> = match &v {
            Value::Num(n) => vec![*n],
            Value::Tuple(items) => items
                .iter()
                .filter_map(|i| if let Value::Num(n) = i { Some(*n) } else { None })
                .collect(),
            Value::Schedule(s) => s.extremes(),
            Value::List(items) => items
                .iter()
                .filter_map(|i| match i {
                    Value::Tuple(pair) => match pair.get(1) {
                        Some(Value::Num(n)) => Some(*n),
                        _ => None,
                    },
                    _ => None,
                })
                .collect(),
            _ => vec![],
        };
        if let Some(bad) = nums.into_iter().find(|x| !limit.admits(*x)) {
            return Err(Diag::OutOfRange {
                param: p.name.into(),
                value: bad,
                range: limit.describe(),
                span,
            });
        }
    }
    if let (PTy::Pair, Value::Tuple(items)) = (p.ty, &v)
        && let (Value::Num(lo), Value::Num(hi)) = (&items[0], &items[1])
        && lo > hi
    {
        return Err(Diag::OutOfRange {
            param: p.name.into(),
            value: *lo,
            range: format!("at most the upper end {hi}"),
            span,
        });
    }
    Ok(v)
}

/// Binds `args` to `params` of `builtin`; reports every problem into `diags`.
pub fn bind(
    builtin: &'static Builtin,
    params: &'static [Param],
    args: Vec<ArgIn>,
    span: Span,
    diags: &mut Vec<Diag>,
) -> Option<Args> {
    let name = builtin.name;
    let mut slots: Vec<Option<(Value, Span)>> = vec![None; params.len()];
    let mut first_span: Vec<Option<Span>> = vec![None; params.len()];
    let mut rest = vec![];
    let mut ok = true;
    let mut positional = 0;
    let mut named: Option<Span> = None;
    for a in args {
        let index = match &a.name {
            None if named.is_some() => {
                diags.push(Diag::PositionalAfterNamed {
                    builtin: name.into(),
                    span: a.span,
                    named: named.unwrap_or(a.span),
                });
                ok = false;
                continue;
            }
            None => {
                // Positional: the next parameter not yet given.
                while positional < params.len() && slots[positional].is_some() {
                    positional += 1;
                }
                if positional < params.len() {
                    positional += 1;
                    Some(positional - 1)
                } else if let Some(ty) = builtin.variadic {
                    let p = Param {
                        name: "networks",
                        ty,
                        default: None,
                        limit: None,
                        doc: "",
                        detached: false,
                    };
                    match coerce(&p, a.value, a.span, name) {
                        Ok(v) => rest.push((v, a.span)),
                        Err(d) => {
                            diags.push(d);
                            ok = false;
                        }
                    }
                    continue;
                } else {
                    diags.push(Diag::TooManyArgs {
                        builtin: name.into(),
                        span: a.span,
                        max: params.len(),
                    });
                    ok = false;
                    continue;
                }
            }
            Some(n) => match params.iter().position(|p| p.name == n.node) {
                Some(i) => {
                    named.get_or_insert(n.span);
                    Some(i)
                }
                None => {
                    named.get_or_insert(n.span);
                    diags.push(Diag::UnknownParam {
                        builtin: name.into(),
                        param: n.node.clone(),
                        span: n.span,
                        suggestion: did_you_mean(&n.node, params.iter().map(|p| p.name)),
                    });
                    ok = false;
                    continue;
                }
            },
        };
        let Some(i) = index else { continue };
        if let Some(first) = first_span[i] {
            diags.push(Diag::DuplicateParam {
                param: params[i].name.into(),
                span: a.span,
                first,
            });
            ok = false;
            continue;
        }
        first_span[i] = Some(a.span);
        match coerce(&params[i], a.value, a.span, name) {
            Ok(v) => slots[i] = Some((v, a.span)),
            Err(d) => {
                diags.push(d);
                slots[i] = Some((Value::Poison, a.span));
                ok = false;
            }
        }
    }
    let mut values = vec![];
    let mut given = vec![];
    for (i, p) in params.iter().enumerate() {
        match slots[i].take() {
            Some((v, s)) => {
                given.push(p.name);
                values.push((p.name, v, s));
            }
            None => match p.default {
                None => {
                    diags.push(Diag::MissingParam {
                        builtin: name.into(),
                        param: p.name.into(),
                        span,
                    });
                    ok = false;
                }
                Some(d) => {
                    if let Some(v) = default_value(d) {
                        values.push((p.name, v, span));
                    }
                }
            },
        }
    }
    let poisoned = values.iter().any(|(_, v, _)| matches!(v, Value::Poison));
    (ok && !poisoned).then_some(Args {
        builtin: name,
        span,
        values,
        rest,
        given,
    })
}

#[cfg(test)]
mod tests {
    use super::default_value;
    use crate::value::Value;

    #[test]
    fn defaults_parse() {
        assert!(matches!(default_value("0.5"), Some(Value::Num(n)) if n == 0.5));
        assert!(matches!(default_value("(0.2, 1.0)"), Some(Value::Tuple(v)) if v.len() == 2));
        assert!(matches!(default_value("true"), Some(Value::Bool(true))));
        assert!(matches!(default_value("\"layer\""), Some(Value::Str(s)) if s == "layer"));
        assert!(default_value("none").is_none());
    }
}
