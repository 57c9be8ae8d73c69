//! How a built-in describes one of its parameters: its type, its default or that it is
//! required, the range it must lie in, and its documentation line.

/// The largest integer any setting or argument takes (`i32::MAX`): sizes, counts and seeds
/// beyond it are mistakes, and the runtime's integer types hold it everywhere.
pub const MAX_INT: f64 = 2_147_483_647.0;

/// The type a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PTy {
    /// A run-time tensor; the shape rule checks which.
    Tensor,
    Num,
    Int,
    Bool,
    Str,
    /// A number or a schedule.
    Sched,
    /// A pair of numbers `(lo, hi)`.
    Pair,
    /// A number or a pair `(lo, hi)` to sample from.
    NumOrPair,
    /// A declared network.
    Network,
    /// A branch.
    Branch,
    /// A network of a branch (`online.backbone`).
    BranchNet,
    /// What a probe reads: a network of a branch, or a value computed from a view.
    Probed,
    /// A list of network names.
    Networks,
    /// A list of `(network, factor)` pairs, factors greater than 0.
    NetFactors,
    /// A list of numbers.
    Numbers,
    /// A schedule built-in call (`cosine(...)`), for `warmup(then: ...)`.
    ScheduleOnly,
    /// One of a few words.
    Choice(&'static [&'static str]),
}

impl PTy {
    /// How the type is named in messages and docs.
    pub fn describe(self) -> String {
        match self {
            PTy::Tensor => "a tensor".into(),
            PTy::Num => "a number".into(),
            PTy::Int => "an integer".into(),
            PTy::Bool => "`true` or `false`".into(),
            PTy::Str => "a string".into(),
            PTy::Sched => "a number or a schedule".into(),
            PTy::Pair => "a pair `(lo, hi)`".into(),
            PTy::NumOrPair => "a number or a pair `(lo, hi)`".into(),
            PTy::Network => "a network".into(),
            PTy::Branch => "a branch".into(),
            PTy::BranchNet => "a network of a branch (`online.backbone`)".into(),
            PTy::Probed => "a network of a branch (`online.backbone`), or a value computed from a view".into(),
            PTy::Networks => "a list of networks".into(),
            PTy::NetFactors => "a list of `(network, factor)` pairs".into(),
            PTy::Numbers => "a list of numbers".into(),
            PTy::ScheduleOnly => "a schedule".into(),
            PTy::Choice(words) => {
                let w: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                format!("one of {}", w.join(", "))
            }
        }
    }
}

/// Allowed values of a numeric parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limit {
    /// `0 ≤ x ≤ 1`.
    Prob,
    /// `x > 0`.
    Positive,
    /// `x ≥ 0`.
    NonNeg,
    /// `x ≥ 1` (counts, sizes).
    AtLeast1,
    /// `lo ≤ x ≤ hi`.
    Between(f64, f64),
    /// One of these values (a ResNet's depth).
    OneOf(&'static [f64]),
}

impl Limit {
    pub fn admits(self, x: f64) -> bool {
        match self {
            Limit::Prob => (0.0..=1.0).contains(&x),
            Limit::Positive => x > 0.0,
            Limit::NonNeg => x >= 0.0,
            Limit::AtLeast1 => x >= 1.0,
            Limit::Between(lo, hi) => (lo..=hi).contains(&x),
            Limit::OneOf(values) => values.contains(&x),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Limit::Prob => "between 0 and 1".into(),
            Limit::Positive => "greater than 0".into(),
            Limit::NonNeg => "at least 0".into(),
            Limit::AtLeast1 => "at least 1".into(),
            Limit::Between(lo, hi) => format!("between {lo} and {hi}"),
            Limit::OneOf(values) => {
                let words: Vec<String> = values.iter().map(f64::to_string).collect();
                match words.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("one of {} or {last}", rest.join(", ")),
                    None => "nothing".into(),
                }
            }
        }
    }
}

/// One parameter of a built-in.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub name: &'static str,
    pub ty: PTy,
    /// The default, as written in a recipe; `None` means required.
    pub default: Option<&'static str>,
    pub limit: Option<Limit>,
    pub doc: &'static str,
    /// An input the op detaches: no gradient flows back into it (a teacher's side). The
    /// gradient checks and the runtime's dispatch both read it.
    pub detached: bool,
}

/// A required parameter.
pub const fn req(name: &'static str, ty: PTy, doc: &'static str) -> Param {
    Param {
        name,
        ty,
        default: None,
        limit: None,
        doc,
        detached: false,
    }
}

/// An optional parameter with its default.
pub const fn opt(name: &'static str, ty: PTy, default: &'static str, doc: &'static str) -> Param {
    Param {
        name,
        ty,
        default: Some(default),
        limit: None,
        doc,
        detached: false,
    }
}

impl Param {
    /// The same parameter with a range.
    pub const fn within(mut self, limit: Limit) -> Param {
        self.limit = Some(limit);
        self
    }

    /// The same input, detached by the op: no gradient flows back into it.
    pub const fn detached(mut self) -> Param {
        self.detached = true;
        self
    }
}
