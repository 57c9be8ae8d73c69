//! sslc's runtime: executes compiled plans. It sees only `sslc_compiler::plan`, never syntax.

pub mod augment;
pub mod data;
pub mod rng;
pub mod support;
