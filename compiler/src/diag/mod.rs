//! Diagnostics as data: every problem the compiler finds, with the spans and facts a message
//! needs. They are collected, never thrown, and turned into pictures only in `render`.

mod render;
mod suggest;

pub use render::{MAX_RENDERED, render, render_all, to_miette};
pub use suggest::did_you_mean;

use crate::span::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem with the characters of a recipe, found before the grammar runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lexical {
    /// A `"` with no closing `"` on its line.
    UnterminatedString,
    /// A `|` that is not the pipe `|>`.
    LoneBar,
    /// Brackets nested deeper than `limit`.
    TooDeep { limit: usize },
    /// One declaration with more than `limit` operators, calls and brackets.
    TooLong { limit: usize },
    /// The file is not UTF-8: `byte` at byte `offset` starts no valid character.
    InvalidUtf8 { byte: u8, offset: usize },
}

/// One problem found in a recipe.
#[derive(Clone, Debug, PartialEq)]
pub enum Diag {
    /// Characters that cannot start or end a token, or input too deep to parse.
    Lexical { span: Span, problem: Lexical },
    /// The text does not follow the grammar.
    Syntax {
        span: Span,
        expected: Vec<String>,
        found: String,
    },
    /// A name is used but never declared.
    Undefined {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A name is declared twice.
    Duplicate { name: String, span: Span, first: Span },
    /// A declaration takes the name of a built-in or a data field.
    Shadows { name: String, what: String, span: Span },
    /// A block that may appear once appears twice (`data`, `train`, `optimizer`).
    DuplicateBlock { keyword: String, span: Span, first: Span },
    /// A required top-level declaration is missing.
    MissingDecl { keyword: String, example: String },
    /// A named argument that the built-in does not take.
    UnknownParam {
        builtin: String,
        param: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A required argument is missing.
    MissingParam { builtin: String, param: String, span: Span },
    /// A settings block lacks a setting it needs.
    MissingSetting {
        block: String,
        key: String,
        example: String,
        span: Span,
    },
    /// The same argument is given twice.
    DuplicateParam { param: String, span: Span, first: Span },
    /// More positional arguments than the built-in takes.
    TooManyArgs { builtin: String, span: Span, max: usize },
    /// A positional argument written after a named one.
    PositionalAfterNamed { builtin: String, span: Span, named: Span },
    /// A value of the wrong kind.
    WrongType {
        what: String,
        expected: String,
        found: String,
        span: Span,
    },
    /// A number outside the range a parameter allows.
    OutOfRange {
        param: String,
        value: f64,
        range: String,
        span: Span,
    },
    /// A number that is infinite or not a number (`1e999`, `0 / 0`).
    NotFinite { value: f64, span: Span },
    /// Tensor shapes that do not fit together.
    ShapeMismatch {
        what: String,
        expected: String,
        found: String,
        span: Span,
        other: Option<(Span, String)>,
        /// Where the shapes were set: the network declarations that made them, as rustc's
        /// "expected due to this".
        because: Vec<(Span, String)>,
    },
    /// Declarations that depend on themselves; `path` starts and ends with the same name.
    Cycle { path: Vec<(String, Span)> },
    /// A value computed by an EMA branch reaches a loss without `sg(...)`.
    GradIntoEma {
        loss: String,
        branch: String,
        use_span: Span,
        loss_span: Span,
    },
    /// A loss term whose every path to trainable weights is cut.
    NoTrainablePath { loss: String, span: Span, reason: String },
    /// A loss term that is not a scalar.
    LossNotScalar { loss: String, found: String, span: Span },
    /// `ema(x)` where `x` is not a branch.
    EmaSourceNotBranch { found: String, span: Span },
    /// A branch does not hold the network asked for.
    NoSuchNetwork {
        branch: String,
        network: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A network called directly instead of through a branch.
    NetworkOutsideBranch { network: String, span: Span },
    /// A settings key that the block does not know.
    UnknownSetting {
        block: String,
        key: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A declared view, mask, branch or value that no loss uses.
    Unused { kind: String, name: String, span: Span },
    /// A loss term whose weight is 0 throughout: it trains nothing.
    ZeroWeight { loss: String, span: Span },
    /// A batch larger than the training set: every step would take the whole set.
    BatchOverData { batch: u64, count: u64, span: Span },
    /// A kNN probe asking for more neighbours than its bank holds.
    KOverBank { k: u64, bank: u64, span: Span },
    /// An EMA that follows a frozen branch: its weights never move.
    EmaOfFrozen { branch: String, source: String, span: Span },
    /// An optimiser setting (`fixed_lr`, `lr_scale`) names a network no trainable branch
    /// trains: the setting changes nothing.
    OptimiserNetNotTrained { param: String, net: String, span: Span },
    /// No `train { }` block: the defaults apply.
    NoTrainBlock { epochs: u64, seed: u64, log_every: u64 },
    /// A built-in the checks accepted but the plan could not decode: a bug of the compiler,
    /// whose registry and plan disagree.
    Internal { what: String, span: Span },
    /// An override (`--set`, profile) that names nothing in the recipe, or is malformed.
    Override {
        path: String,
        reason: String,
        help: Option<String>,
        /// The `--set` argument or profile line it came from; diagnostics point there.
        origin: Option<crate::span::Origin>,
    },
}

impl Diag {
    pub fn severity(&self) -> Severity {
        match self {
            Diag::Unused { .. }
            | Diag::ZeroWeight { .. }
            | Diag::BatchOverData { .. }
            | Diag::KOverBank { .. }
            | Diag::EmaOfFrozen { .. }
            | Diag::OptimiserNetNotTrained { .. }
            | Diag::NoTrainBlock { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// A stable code, shown in brackets and usable in docs.
    pub fn code(&self) -> &'static str {
        match self {
            Diag::Lexical { .. } => "sslc::lexical",
            Diag::Syntax { .. } => "sslc::syntax",
            Diag::Undefined { .. } => "sslc::undefined",
            Diag::Duplicate { .. } => "sslc::duplicate",
            Diag::Shadows { .. } => "sslc::shadows",
            Diag::DuplicateBlock { .. } => "sslc::duplicate_block",
            Diag::MissingDecl { .. } => "sslc::missing",
            Diag::UnknownParam { .. } => "sslc::unknown_param",
            Diag::MissingParam { .. } => "sslc::missing_param",
            Diag::MissingSetting { .. } => "sslc::missing_setting",
            Diag::DuplicateParam { .. } => "sslc::duplicate_param",
            Diag::TooManyArgs { .. } => "sslc::too_many_args",
            Diag::PositionalAfterNamed { .. } => "sslc::positional_after_named",
            Diag::WrongType { .. } => "sslc::type",
            Diag::OutOfRange { .. } | Diag::NotFinite { .. } => "sslc::range",
            Diag::ShapeMismatch { .. } => "sslc::shape",
            Diag::Cycle { .. } => "sslc::cycle",
            Diag::GradIntoEma { .. } => "sslc::grad_into_ema",
            Diag::NoTrainablePath { .. } => "sslc::no_trainable_path",
            Diag::LossNotScalar { .. } => "sslc::loss_not_scalar",
            Diag::EmaSourceNotBranch { .. } => "sslc::ema_source",
            Diag::NoSuchNetwork { .. } => "sslc::no_such_network",
            Diag::NetworkOutsideBranch { .. } => "sslc::network_outside_branch",
            Diag::UnknownSetting { .. } => "sslc::unknown_setting",
            Diag::Unused { .. } => "sslc::unused",
            Diag::Internal { .. } => "sslc::internal",
            Diag::ZeroWeight { .. } => "sslc::zero_weight",
            Diag::BatchOverData { .. } => "sslc::batch_over_data",
            Diag::KOverBank { .. } => "sslc::k_over_bank",
            Diag::EmaOfFrozen { .. } => "sslc::ema_of_frozen",
            Diag::OptimiserNetNotTrained { .. } => "sslc::not_trained",
            Diag::NoTrainBlock { .. } => "sslc::no_train_block",
            Diag::Override { .. } => "sslc::override",
        }
    }

    /// Where the diagnostic points first (for sorting).
    pub fn primary_span(&self) -> Span {
        match self {
            Diag::Syntax { span, .. }
            | Diag::Lexical { span, .. }
            | Diag::Undefined { span, .. }
            | Diag::Duplicate { span, .. }
            | Diag::Shadows { span, .. }
            | Diag::DuplicateBlock { span, .. }
            | Diag::UnknownParam { span, .. }
            | Diag::MissingParam { span, .. }
            | Diag::MissingSetting { span, .. }
            | Diag::DuplicateParam { span, .. }
            | Diag::TooManyArgs { span, .. }
            | Diag::PositionalAfterNamed { span, .. }
            | Diag::WrongType { span, .. }
            | Diag::OutOfRange { span, .. }
            | Diag::NotFinite { span, .. }
            | Diag::ShapeMismatch { span, .. }
            | Diag::NoTrainablePath { span, .. }
            | Diag::LossNotScalar { span, .. }
            | Diag::EmaSourceNotBranch { span, .. }
            | Diag::NoSuchNetwork { span, .. }
            | Diag::NetworkOutsideBranch { span, .. }
            | Diag::UnknownSetting { span, .. }
            | Diag::Unused { span, .. }
            | Diag::Internal { span, .. }
            | Diag::ZeroWeight { span, .. }
            | Diag::BatchOverData { span, .. }
            | Diag::KOverBank { span, .. }
            | Diag::EmaOfFrozen { span, .. }
            | Diag::OptimiserNetNotTrained { span, .. } => *span,
            Diag::GradIntoEma { use_span, .. } => *use_span,
            Diag::Cycle { path } => path.first().map(|p| p.1).unwrap_or_default(),
            Diag::MissingDecl { .. } | Diag::Override { .. } | Diag::NoTrainBlock { .. } => Span::default(),
        }
    }
}

/// `a`, `a or b`, `a, b or c`: the alternatives a message lists.
pub fn one_of(items: &[String]) -> String {
    match items.len() {
        0 => "something else".into(),
        1 => items[0].clone(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Sorts diagnostics by position, then removes exact repeats.
pub fn normalise(diags: &mut Vec<Diag>) {
    diags.sort_by_key(|d| (d.primary_span(), d.code()));
    diags.dedup();
}
