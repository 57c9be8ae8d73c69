//! A recipe's data source, materialised: the training and held-out sets of a run.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;
use sslc_compiler::plan::SourceKind;
use sslc_compiler::plan::settings::Colours as Colouring;

use super::fashion::{self, FashionScenes, Items};
use super::files;
use super::folder::{self, Labels};
use super::stream::{IN_MEMORY_BYTES, Stream, scene_bytes};
use super::{Colours, Scene, Scenes};
use crate::error::RunError;
use crate::rng::Rng;

/// The generator stream that orders an image folder's files.
const FOLDER_ORDER: u64 = 0x0_F01D_E500;

/// The images of a run.
pub struct Dataset {
    /// The training images in memory: all of them, or, when `stream` holds the training set,
    /// an image folder's first `probe_images` for the probes (none for generated scenes, which
    /// `bank` makes when asked).
    pub train: Vec<Scene>,
    /// The held-out images (of a folder read from disk, the first `probe_images`).
    pub holdout: Vec<Scene>,
    pub classes: usize,
    /// Training images made when a batch needs them: a folder's files, or generated scenes.
    pub stream: Option<Stream>,
}

impl Dataset {
    /// Number of training images.
    pub fn len(&self) -> usize {
        self.stream.as_ref().map_or(self.train.len(), Stream::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `n` training images (all, if fewer), as the probes read them: from memory, or
    /// generated now when the scenes are made on demand.
    pub fn bank(&self, n: usize) -> Result<Cow<'_, [Scene]>, RunError> {
        match self.generated() {
            Some(s) => {
                let idx: Vec<usize> = (0..n.min(s.len())).collect();
                Ok(Cow::Owned(s.decode(&idx)?))
            }
            None => Ok(Cow::Borrowed(&self.train[..n.min(self.train.len())])),
        }
    }

    /// How many images `bank` can give at most.
    pub fn bank_len(&self) -> usize {
        self.generated().map_or(self.train.len(), Stream::len)
    }

    /// The stream of generated training scenes, if they are made on demand.
    fn generated(&self) -> Option<&Stream> {
        self.stream.as_ref().filter(|s| !matches!(s, Stream::Files { .. }))
    }

    /// Makes every training image and keeps it in memory, for a job that rewrites each one;
    /// `None` if the training images are a folder's files read a batch at a time.
    pub fn materialise(&mut self) -> Option<()> {
        if let Some(stream) = &self.stream {
            self.train = stream.materialise()?;
            self.stream = None;
        }
        Some(())
    }
}

impl Dataset {
    /// Generates or loads the data `source` describes.
    pub fn open(source: &SourceKind) -> Result<Dataset, RunError> {
        Dataset::open_within(source, IN_MEMORY_BYTES)
    }

    /// Generates or loads the data `source` describes; generated training scenes are made a
    /// batch at a time when they would take more than `bytes`.
    pub fn open_within(source: &SourceKind, bytes: usize) -> Result<Dataset, RunError> {
        let fits = |count: usize, size: usize| count.saturating_mul(scene_bytes(size)) <= bytes;
        match source {
            SourceKind::Scenes(s) => {
                let generator = Scenes {
                    size: s.size,
                    classes: s.classes,
                    objects: (s.objects.0 as usize, s.objects.1 as usize),
                    colours: match s.colours {
                        Colouring::Random => Colours::Random,
                        Colouring::Class => Colours::Class,
                    },
                    seed: s.seed as u64,
                };
                let holdout = generator.many(1, 0..s.holdout as u64);
                let classes = generator.classes;
                let stream = Stream::Scenes {
                    generator,
                    count: s.count,
                };
                Ok(generated(fits(s.count, s.size), stream, holdout, classes))
            }
            SourceKind::FashionMnist(f) => {
                let (train, test) = fashion_items(&f.path, f.classes)?;
                let single = |items: &Items, n: usize| -> Vec<Scene> {
                    (0..n.min(items.len()))
                        .into_par_iter()
                        .map(|i| items.single(i, f.size))
                        .collect()
                };
                Ok(Dataset {
                    train: single(&train, f.count),
                    holdout: single(&test, f.holdout),
                    classes: f.classes,
                    stream: None,
                })
            }
            SourceKind::FashionScenes(f) => {
                let (train, test) = fashion_items(&f.path, f.classes)?;
                let (count, classes) = (f.count, f.classes);
                let composer = FashionScenes {
                    size: f.size,
                    objects: (f.objects.0 as usize, f.objects.1 as usize),
                    scale: (f.scale.0 as f32, f.scale.1 as f32),
                    seed: f.seed as u64,
                };
                // Held-out scenes are composed from the test split's items only.
                let holdout = composer.many(&test, 1, 0..f.holdout as u64);
                let stream = Stream::FashionScenes {
                    composer,
                    items: Arc::new(train),
                    count,
                };
                Ok(generated(fits(count, f.size), stream, holdout, classes))
            }
            SourceKind::ImageFolder(f) => {
                let dir = std::path::Path::new(&f.path);
                let labels = &f.labels;
                let layout = match labels {
                    Labels::Folders => folder::split(dir)?,
                    _ => None,
                };
                let (files, found) = match &layout {
                    Some((train, _, found)) => (train.clone(), *found),
                    None => folder::list(dir, labels)?,
                };
                let classes = f.classes;
                if found > classes {
                    return Err(RunError::Data {
                        path: dir.display().to_string(),
                        problem: format!("holds {found} classes, but the recipe declares `classes: {classes}`"),
                    });
                }
                // Every k-th file (in name order) is held out, unless `val/` holds the held-out set.
                let every = (1.0 / f.holdout.max(1e-9)).round().max(2.0) as usize;
                let (kept, held) = match layout {
                    Some((_, held, _)) => (files, held),
                    None => {
                        let (held, kept): (Vec<_>, Vec<_>) =
                            files.into_iter().enumerate().partition(|(i, _)| i % every == every - 1);
                        let strip = |v: Vec<(usize, _)>| v.into_iter().map(|(_, f)| f).collect::<Vec<_>>();
                        (strip(kept), strip(held))
                    }
                };
                // Listed by class, the first files would all be of one class: the probes take the
                // first images, so both lists are put in one fixed random order.
                let shuffle = |files: Vec<files::Labelled>, stream: u64| {
                    let order = Rng::derive(FOLDER_ORDER, stream, 0).permutation(files.len());
                    order.into_iter().map(|i| files[i].clone()).collect::<Vec<_>>()
                };
                let (kept, held) = (shuffle(kept, 0), shuffle(held, 1));
                let size = f.size;
                let (n_train, n_held) = (kept.len(), held.len());
                let cache = f.cache;
                // Streamed, only the probes' images are decoded now, the rest when a batch needs them.
                let sample = if cache { usize::MAX } else { f.probe_images };
                let first = |files: &[files::Labelled]| files[..sample.min(files.len())].to_vec();
                // Decoding first: a broken file is named before the folder's size is judged.
                // Cached, crops come from the square, so it keeps the whole picture; streamed,
                // they come from the picture and the square is its centre, as torchvision's
                // evaluation transform (`Resize`, `CenterCrop`) gives it.
                let fit = if cache {
                    folder::Fit::Squash
                } else {
                    folder::Fit::Centre
                };
                let (train, holdout) = (
                    folder::scenes(&first(&kept), size, classes, fit)?,
                    folder::scenes(&first(&held), size, classes, fit)?,
                );
                if n_train == 0 || n_held == 0 {
                    return Err(RunError::Data {
                        path: dir.display().to_string(),
                        problem: format!(
                            "holds {} image file(s): holding out every {every}-th leaves {} to train on and {} for the probe; it needs at least {every}",
                            n_train + n_held,
                            n_train,
                            n_held
                        ),
                    });
                }
                let stream = (!cache).then(|| Stream::Files {
                    files: kept,
                    size,
                    classes,
                    dir: dir.to_path_buf(),
                });
                Ok(Dataset {
                    train,
                    holdout,
                    classes,
                    stream,
                })
            }
        }
    }
}

/// A generated source's data: its training scenes made now when they `fit`, else made a batch
/// at a time by `stream`.
fn generated(fit: bool, stream: Stream, holdout: Vec<Scene>, classes: usize) -> Dataset {
    let mut data = Dataset {
        train: vec![],
        holdout,
        classes,
        stream: Some(stream),
    };
    if fit {
        data.materialise();
    }
    data
}

/// Fashion-MNIST's training and test items of the first `classes` classes.
fn fashion_items(path: &str, classes: usize) -> Result<(Items, Items), RunError> {
    let dir = std::path::Path::new(path);
    Ok((
        Items::load(dir, fashion::TRAIN)?.keep_classes(classes),
        Items::load(dir, fashion::TEST)?.keep_classes(classes),
    ))
}
