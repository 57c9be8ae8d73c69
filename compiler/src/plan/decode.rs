//! Decoding an op's bound arguments into its typed fields, once, when the plan is made: inputs
//! become slot numbers, parameters numbers, integers, flags and schedules.

use serde::Serialize;

use crate::value::{Param, Schedule};

/// A value slot of the plan, read by a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slot(pub usize);

/// What a node of the graph bound, by parameter name: its inputs (as slots) and its constant
/// parameters (defaults filled in).
pub struct Args<'a> {
    pub inputs: &'a [(String, usize)],
    pub params: &'a [(String, Param)],
}

impl Args<'_> {
    /// The constant parameter `name`.
    pub fn param(&self, name: &str) -> Result<&Param, String> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
            .ok_or_else(|| format!("no parameter `{name}`"))
    }
}

/// A field of an op: how it is read from the bound arguments and shown again in the plan's text
/// (inputs are shown by the step, so they give `None`).
pub trait Field: Sized {
    fn decode(args: &Args, name: &str) -> Result<Self, String>;
    fn shown(&self) -> Option<Param>;
}

impl Field for Slot {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        args.inputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| Slot(*s))
            .ok_or_else(|| format!("no input `{name}`"))
    }
    fn shown(&self) -> Option<Param> {
        None
    }
}

/// An optional input: the slot of the argument, where the call gives one.
impl Field for Option<Slot> {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        Ok(Slot::decode(args, name).ok())
    }
    fn shown(&self) -> Option<Param> {
        None
    }
}

impl Field for f64 {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        args.param(name)?
            .as_num()
            .ok_or_else(|| format!("`{name}` is not a number"))
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::Num(*self))
    }
}

/// An optional number: absent where the call leaves it open.
impl Field for Option<f64> {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.params.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, p)) => p.as_num().map(Some).ok_or_else(|| format!("`{name}` is not a number")),
        }
    }
    fn shown(&self) -> Option<Param> {
        self.map(Param::Num)
    }
}

/// A list of numbers.
impl Field for Vec<f64> {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::List(items) => items
                .iter()
                .map(|i| i.as_num().ok_or_else(|| format!("`{name}` is not a list of numbers")))
                .collect(),
            _ => Err(format!("`{name}` is not a list")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::List(self.iter().map(|v| Param::Num(*v)).collect()))
    }
}

impl Field for usize {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)?.as_num() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= crate::registry::MAX_INT => Ok(n as usize),
            _ => Err(format!("`{name}` is not a count")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::Num(*self as f64))
    }
}

/// A network of a branch, as probes and jobs name theirs (`online.backbone`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetRef {
    pub branch: String,
    pub net: String,
}

impl Field for NetRef {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::BranchNet { branch, net } => Ok(NetRef {
                branch: branch.clone(),
                net: net.clone(),
            }),
            _ => Err(format!("`{name}` is not a network of a branch")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::BranchNet {
            branch: self.branch.clone(),
            net: self.net.clone(),
        })
    }
}

/// What a probe reads: a network of a branch, run on whole images, or the value in a slot of
/// the probe's own steps (`Train::probe_steps`), which compute it from whole images.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Probed {
    Net(NetRef),
    Value(Slot),
}

impl Field for Probed {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match Slot::decode(args, name) {
            Ok(slot) => Ok(Probed::Value(slot)),
            Err(_) => NetRef::decode(args, name).map(Probed::Net),
        }
    }
    fn shown(&self) -> Option<Param> {
        match self {
            Probed::Net(n) => n.shown(),
            Probed::Value(_) => None,
        }
    }
}

/// A string: a path, or a label file's name.
impl Field for String {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::Str(s) => Ok(s.clone()),
            _ => Err(format!("`{name}` is not a string")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::Str(self.clone()))
    }
}

/// A list of names (networks).
impl Field for Vec<String> {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::List(items) => items
                .iter()
                .map(|i| match i {
                    Param::Str(s) => Ok(s.clone()),
                    _ => Err(format!("`{name}` is not a list of names")),
                })
                .collect(),
            _ => Err(format!("`{name}` is not a list")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::List(self.iter().cloned().map(Param::Str).collect()))
    }
}

/// A list of `(name, factor)` pairs (networks with a learning-rate factor).
impl Field for Vec<(String, f64)> {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        let bad = || format!("`{name}` is not a list of (network, factor) pairs");
        match args.param(name)? {
            Param::List(items) => items
                .iter()
                .map(|i| match i {
                    Param::List(pair) => match pair.as_slice() {
                        [Param::Str(net), factor] => factor.as_num().map(|f| (net.clone(), f)).ok_or_else(bad),
                        _ => Err(bad()),
                    },
                    _ => Err(bad()),
                })
                .collect(),
            _ => Err(bad()),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::List(
            self.iter()
                .map(|(n, f)| Param::List(vec![Param::Str(n.clone()), Param::Num(*f)]))
                .collect(),
        ))
    }
}

/// A pair `(lo, hi)`; one number stands for both ends.
impl Field for (f64, f64) {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::List(v) if v.len() == 2 => match (v[0].as_num(), v[1].as_num()) {
                (Some(a), Some(b)) => Ok((a, b)),
                _ => Err(format!("`{name}` is not a pair of numbers")),
            },
            p => p
                .as_num()
                .map(|x| (x, x))
                .ok_or_else(|| format!("`{name}` is not a pair")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::List(vec![Param::Num(self.0), Param::Num(self.1)]))
    }
}

impl Field for bool {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::Bool(b) => Ok(*b),
            _ => Err(format!("`{name}` is not a flag")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::Bool(*self))
    }
}

impl Field for Schedule {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        match args.param(name)? {
            Param::Schedule(s) => Ok(s.clone()),
            Param::Num(n) => Ok(Schedule::Constant { value: *n }),
            _ => Err(format!("`{name}` is not a schedule")),
        }
    }
    fn shown(&self) -> Option<Param> {
        Some(match self {
            Schedule::Constant { value } => Param::Num(*value),
            s => Param::Schedule(s.clone()),
        })
    }
}

/// An enum of the words a `Choice` parameter takes, decoded from and shown as those words.
macro_rules! choice {
    ($(#[$doc:meta])* $Name:ident { $($Variant:ident = $word:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
        pub enum $Name {
            $($Variant),*
        }

        impl $crate::plan::Field for $Name {
            fn decode(args: &$crate::plan::Args, name: &str) -> Result<Self, String> {
                match args.param(name)? {
                    $crate::value::Param::Str(s) => match s.as_str() {
                        $($word => Ok($Name::$Variant),)*
                        other => Err(format!("`{name}` is `{other}`, not one of {:?}", [$($word),*])),
                    },
                    _ => Err(format!("`{name}` is not a word")),
                }
            }
            fn shown(&self) -> Option<$crate::value::Param> {
                Some($crate::value::Param::Str(
                    match self {
                        $($Name::$Variant => $word),*
                    }
                    .into(),
                ))
            }
        }
    };
}
