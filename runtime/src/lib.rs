//! sslc's runtime: executes compiled plans. It sees only `sslc_compiler::plan`, never syntax.

pub mod augment;
pub mod checkpoint;
pub mod data;
pub mod device;
pub mod dist;
pub mod error;
pub mod eval;
pub mod exec;
pub mod export;
pub mod generator;
pub mod grads;
pub mod jobs;
pub mod linalg;
pub mod loader;
pub mod nets;
pub mod optim;
pub mod own;
pub mod precision;
pub mod rng;
pub mod scaler;
pub mod tensor;
pub mod trainer;
pub mod val;
pub mod weights;

pub use error::RunError;
pub use trainer::{StepInfo, Trainer};
