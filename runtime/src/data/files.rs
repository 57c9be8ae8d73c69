//! A file of an image folder with its class ids, and the error that names a file gone wrong.

use std::path::{Path, PathBuf};

use crate::error::RunError;

/// An image file and the ids of its classes.
pub type Labelled = (PathBuf, Vec<usize>);

/// The error for `path`: what is wrong with it.
pub(super) fn fail(path: &Path, problem: impl Into<String>) -> RunError {
    RunError::Data {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}
