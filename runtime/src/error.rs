//! What can go wrong while a plan runs. The compiler refuses what a recipe gets wrong, and every
//! op of a plan has its implementation (the dispatch is generated from the compiler's lists), so
//! these are the failures left: bad data or checkpoints, numerical blow-ups, what a device cannot
//! do, ranks that fail, exports asked of the wrong network, compiler/runtime disagreements.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// A data file or folder is missing, unreadable or malformed.
    Data { path: String, problem: String },
    /// A checkpoint is missing, unreadable, malformed, or holds other networks than its recipe.
    Checkpoint { path: String, problem: String },
    /// A loss became NaN or infinite.
    NonFinite { step: u64, loss: String, value: f32 },
    /// A loss term reaches a trainable network and sends it no gradient (an error only when
    /// warnings are denied).
    DeadTerm { step: u64, loss: String, network: String },
    /// A network cannot be exported as asked.
    Export(String),
    /// The device cannot run what the recipe asks of it (a precision).
    Unsupported(String),
    /// Training across ranks cannot start or go on: a rank stopped, a collective failed, the
    /// ranks' weights differ.
    Distributed(String),
    /// A plan the runtime should have refused, or a compiler/runtime disagreement.
    Internal(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Data { path, problem } => write!(f, "data at {path} {problem}"),
            RunError::Checkpoint { path, problem } => write!(f, "checkpoint {path}: {problem}"),
            RunError::NonFinite { step, loss, value } => write!(
                f,
                "loss `{loss}` became {value} at step {step}; lower the learning rate or check the loss terms"
            ),
            RunError::DeadTerm { step, loss, network } => write!(
                f,
                "loss `{loss}` reaches `{network}` in the graph but sends it no gradient at step {step} (warnings are denied)"
            ),
            RunError::Export(m) => write!(f, "cannot export: {m}"),
            RunError::Distributed(m) => write!(f, "distributed training: {m}"),
            RunError::Unsupported(m) => write!(f, "{m}"),
            RunError::Internal(m) => write!(f, "internal error: {m} (please report this recipe)"),
        }
    }
}

impl std::error::Error for RunError {}
