//! Training images made when a batch needs them: an image folder's files, decoded (crops taken
//! from each image as decoded, at its own size and aspect ratio), or generated scenes too many
//! to hold in memory, each drawn from its own index. Memory holds the batches in flight,
//! whatever the number of images.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::Scene;
use super::fashion::{FashionScenes, Items};
use super::files::Labelled;
use super::folder;
use super::scenes::Scenes;
use crate::error::RunError;

/// Generated training sets above this many bytes of decoded scenes are made a batch at a time.
pub const IN_MEMORY_BYTES: usize = 2 << 30;

/// Bytes one generated scene of side `size` holds (an f32 RGB image and a byte per pixel).
pub fn scene_bytes(size: usize) -> usize {
    size * size * (3 * 4 + 1)
}

/// The training images of a source that are made on demand.
pub enum Stream {
    /// An image folder's training files.
    Files {
        files: Vec<Labelled>,
        /// Side of the decoded images.
        size: usize,
        classes: usize,
        /// The folder, for messages.
        dir: PathBuf,
    },
    /// Generated scenes `0..count` of the training stream.
    Scenes { generator: Scenes, count: usize },
    /// Scenes composed from Fashion-MNIST's training items.
    FashionScenes {
        composer: FashionScenes,
        items: Arc<Items>,
        count: usize,
    },
}

impl Stream {
    pub fn len(&self) -> usize {
        match self {
            Stream::Files { files, .. } => files.len(),
            Stream::Scenes { count, .. } | Stream::FashionScenes { count, .. } => *count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The images of training indices `idx`, made now, in parallel (on the current rayon pool).
    pub fn decode(&self, idx: &[usize]) -> Result<Vec<Scene>, RunError> {
        match self {
            Stream::Files {
                files, size, classes, ..
            } => {
                let files: Vec<Labelled> = idx.iter().map(|i| files[*i].clone()).collect();
                folder::scenes(&files, *size, *classes, folder::Fit::CentreKeepingPicture)
            }
            Stream::Scenes { generator, .. } => Ok(idx.par_iter().map(|i| generator.scene(0, *i as u64)).collect()),
            Stream::FashionScenes { composer, items, .. } => {
                Ok(idx.par_iter().map(|i| composer.scene(items, 0, *i as u64)).collect())
            }
        }
    }

    /// Every training image, made now (for a job that rewrites each one); `None` for a
    /// folder, whose files may be far too many.
    pub fn materialise(&self) -> Option<Vec<Scene>> {
        match self {
            Stream::Files { .. } => None,
            Stream::Scenes { generator, count } => Some(generator.many(0, 0..*count as u64)),
            Stream::FashionScenes { composer, items, count } => Some(composer.many(items, 0, 0..*count as u64)),
        }
    }

    /// What the images come from, for messages.
    pub fn origin(&self) -> String {
        match self {
            Stream::Files { dir, .. } => dir.display().to_string(),
            Stream::Scenes { .. } => "scenes(...)".into(),
            Stream::FashionScenes { .. } => "fashion_scenes(...)".into(),
        }
    }
}
