//! Compile-time values: what an expression evaluates to while the graph is built.

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::types::Ty;

/// A schedule of a number over training, in fractions of the run or in epochs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    Constant {
        value: f64,
    },
    /// From `from` to `to` over `epochs` (the whole run when absent), then held.
    Linear {
        from: f64,
        to: f64,
        epochs: Option<f64>,
    },
    /// Half-cosine from `from` to `to` over `epochs` (the whole run when absent), then held.
    Cosine {
        from: f64,
        to: f64,
        epochs: Option<f64>,
    },
    /// Linear from `start` to the first value of `then` over `epochs`, then `then` over the rest.
    Warmup {
        epochs: f64,
        start: f64,
        then: Box<Schedule>,
    },
}

impl Schedule {
    /// The base value: where the schedule starts once any warm-up is over, before any decay.
    pub fn base(&self) -> f64 {
        match self {
            Schedule::Constant { value } => *value,
            Schedule::Linear { from, .. } | Schedule::Cosine { from, .. } => *from,
            Schedule::Warmup { then, .. } => then.base(),
        }
    }

    /// The value at `epoch` (fractional) of a run of `total` epochs.
    pub fn at(&self, epoch: f64, total: f64) -> f64 {
        let frac = |len: Option<f64>| {
            let len = len.unwrap_or(total).max(1e-12);
            (epoch / len).clamp(0.0, 1.0)
        };
        match self {
            Schedule::Constant { value } => *value,
            Schedule::Linear { from, to, epochs } => from + (to - from) * frac(*epochs),
            Schedule::Cosine { from, to, epochs } => {
                let t = frac(*epochs);
                to + (from - to) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
            }
            Schedule::Warmup { epochs, start, then } => {
                if epoch < *epochs {
                    let first = then.at(0.0, (total - epochs).max(1e-12));
                    start + (first - start) * (epoch / epochs.max(1e-12))
                } else {
                    then.at(epoch - epochs, (total - epochs).max(1e-12))
                }
            }
        }
    }

    /// Every number the schedule can take lies between its end points: those, for range checks.
    pub fn extremes(&self) -> Vec<f64> {
        match self {
            Schedule::Constant { value } => vec![*value],
            Schedule::Linear { from, to, .. } | Schedule::Cosine { from, to, .. } => vec![*from, *to],
            Schedule::Warmup { start, then, .. } => {
                let mut v = then.extremes();
                v.push(*start);
                v
            }
        }
    }
}

/// What an expression evaluates to at compile time.
#[derive(Clone, Debug)]
pub enum Value {
    Num(f64),
    Bool(bool),
    Str(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Schedule(Schedule),
    /// A run-time tensor: a node of the graph and its type.
    Tensor(NodeIndex, Ty),
    /// A declared network architecture.
    Network(String),
    /// A declared branch.
    Branch(String),
    /// A network of a branch: `online.backbone`.
    BranchNet {
        branch: String,
        net: String,
    },
    /// A built-in used as a function value (`x |> cls`).
    Builtin(&'static str),
    /// A configuration made by a built-in (a data source, an optimiser, a probe, a job).
    Config(Config),
    /// Something already reported as an error; silences follow-up errors.
    Poison,
}

/// A built-in call with constant arguments, kept as configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    pub builtin: String,
    pub params: Vec<(String, Param)>,
    /// The arguments that are values of the graph (a probe's expression), by parameter.
    #[serde(skip)]
    pub tensors: Vec<(String, NodeIndex)>,
}

impl Config {
    /// The number a parameter holds, if the configuration has it and it is a number.
    pub fn num(&self, name: &str) -> Option<f64> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, p)| p.as_num())
    }
}

/// A constant parameter value as the plan carries it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Param {
    Num(f64),
    Bool(bool),
    Str(String),
    /// A network of a branch (`online.backbone`), as probes and jobs name theirs.
    BranchNet {
        branch: String,
        net: String,
    },
    List(Vec<Param>),
    Schedule(Schedule),
    Config(Config),
}

impl Value {
    /// A noun for messages.
    pub fn describe(&self) -> String {
        match self {
            Value::Num(n) => format!("the number {n}"),
            Value::Bool(_) => "a boolean".into(),
            Value::Str(_) => "a string".into(),
            Value::List(_) => "a list".into(),
            Value::Tuple(v) => format!("a tuple of {}", v.len()),
            Value::Schedule(_) => "a schedule".into(),
            Value::Tensor(_, ty) => format!("{} ({ty})", ty.noun()),
            Value::Network(n) => format!("the network `{n}`"),
            Value::Branch(b) => format!("the branch `{b}`"),
            Value::BranchNet { branch, net } => format!("the network `{branch}.{net}`"),
            Value::Builtin(b) => format!("the built-in `{b}`"),
            Value::Config(c) => format!("a `{}` configuration", c.builtin),
            Value::Poison => "an invalid value".into(),
        }
    }

    /// The value as a constant parameter, if it is one.
    pub fn to_param(&self) -> Option<Param> {
        Some(match self {
            Value::Num(n) => Param::Num(*n),
            Value::Bool(b) => Param::Bool(*b),
            Value::Str(s) => Param::Str(s.clone()),
            Value::List(v) | Value::Tuple(v) => Param::List(v.iter().map(Value::to_param).collect::<Option<_>>()?),
            Value::Schedule(s) => Param::Schedule(s.clone()),
            Value::Config(c) => Param::Config(c.clone()),
            Value::Network(n) => Param::Str(n.clone()),
            Value::Branch(b) => Param::Str(b.clone()),
            Value::BranchNet { branch, net } => Param::BranchNet {
                branch: branch.clone(),
                net: net.clone(),
            },
            _ => return None,
        })
    }
}

impl Param {
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Param::Num(n) => Some(*n),
            Param::Schedule(Schedule::Constant { value }) => Some(*value),
            _ => None,
        }
    }
}

/// A constant operand as the graph's dumps show it: a number as a number, a schedule as itself.
pub fn plain_constant<S: serde::Serializer>(c: &Option<Schedule>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(Schedule::Constant { value }) => s.serialize_some(value),
        Some(other) => s.serialize_some(other),
        None => s.serialize_none(),
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let over = |e: &Option<f64>| e.map(|e| format!(", {e} epochs")).unwrap_or_default();
        match self {
            Schedule::Constant { value } => write!(f, "{value}"),
            Schedule::Linear { from, to, epochs } => write!(f, "linear({from} → {to}{})", over(epochs)),
            Schedule::Cosine { from, to, epochs } => write!(f, "cosine({from} → {to}{})", over(epochs)),
            Schedule::Warmup { epochs, start, then } => write!(f, "warmup({start}, {epochs} epochs, then {then})"),
        }
    }
}

impl std::fmt::Display for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Param::Num(n) => write!(f, "{n}"),
            Param::Bool(b) => write!(f, "{b}"),
            Param::Str(s) => write!(f, "{s:?}"),
            Param::BranchNet { branch, net } => write!(f, "{branch}.{net}"),
            Param::List(items) => {
                let v: Vec<String> = items.iter().map(|i| i.to_string()).collect();
                write!(f, "({})", v.join(", "))
            }
            Param::Schedule(s) => write!(f, "{s}"),
            Param::Config(c) => write!(f, "{c}"),
        }
    }
}

impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // An empty list (no networks named) says nothing: it is left out.
        // A value of the graph shows as its node (`%12`), as the graph's text names values.
        let v: Vec<String> = self
            .tensors
            .iter()
            .map(|(n, ix)| format!("{n}: %{}", ix.index()))
            .chain(
                self.params
                    .iter()
                    .filter(|(_, p)| !matches!(p, Param::List(items) if items.is_empty()))
                    .map(|(n, p)| format!("{n}: {p}")),
            )
            .collect();
        write!(f, "{}({})", self.builtin, v.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::Schedule;

    #[test]
    fn cosine_runs_from_start_to_end() {
        let s = Schedule::Cosine {
            from: 1.0,
            to: 0.0,
            epochs: None,
        };
        assert!((s.at(0.0, 10.0) - 1.0).abs() < 1e-12);
        assert!((s.at(5.0, 10.0) - 0.5).abs() < 1e-12);
        assert!(s.at(10.0, 10.0).abs() < 1e-12);
    }

    #[test]
    fn warmup_ramps_then_follows() {
        let s = Schedule::Warmup {
            epochs: 2.0,
            start: 0.0,
            then: Box::new(Schedule::Constant { value: 4.0 }),
        };
        assert!((s.at(1.0, 10.0) - 2.0).abs() < 1e-12);
        assert!((s.at(5.0, 10.0) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn linear_with_epochs_holds_after() {
        let s = Schedule::Linear {
            from: 0.04,
            to: 0.07,
            epochs: Some(3.0),
        };
        assert!((s.at(1.5, 10.0) - 0.055).abs() < 1e-12);
        assert!((s.at(9.0, 10.0) - 0.07).abs() < 1e-12);
    }
}
