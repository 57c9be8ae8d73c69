//! Training images that stay on disk: an image folder's files, decoded when a batch needs them,
//! crops taken from each image as decoded (its own size and aspect ratio).
//! The trainer asks for the next batch while the current step runs, so decoding (in parallel,
//! on rayon's pool) overlaps the step; memory holds a batch or two, whatever the folder's size.

use std::path::PathBuf;

use super::Scene;
use super::folder::{self, Labelled};
use crate::error::RunError;

/// The training files of a streamed image folder.
pub struct Stream {
    pub files: Vec<Labelled>,
    /// Side of the decoded images.
    pub size: usize,
    pub classes: usize,
    /// The folder, for messages.
    pub dir: PathBuf,
}

impl Stream {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The scenes of files `idx`, decoded now, in parallel, each keeping its image as decoded
    /// so that crops come from it at its own aspect ratio.
    pub fn decode(&self, idx: &[usize]) -> Result<Vec<Scene>, RunError> {
        let files: Vec<Labelled> = idx.iter().map(|i| self.files[*i].clone()).collect();
        folder::scenes(&files, self.size, self.classes, true)
    }
}
