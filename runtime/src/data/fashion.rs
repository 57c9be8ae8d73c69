//! Fashion-MNIST from its IDX files: single items as images, or "fashion scenes", composites of
//! several items on a larger canvas that keep each item's class, box and mask and the image's
//! multi-label set (real objects in non-iconic scenes).

use std::path::Path;

use rayon::prelude::*;

use super::Image;
use super::idx;
use super::scenes::{Object, Scene};
use crate::error::RunError;
use crate::rng::Rng;

/// Classes of Fashion-MNIST.
pub const CLASSES: usize = 10;

/// A pixel above this (of 255) belongs to the item: its mask and box.
const INK: u8 = 25;

/// The files of each split, as the data set ships them.
pub const TRAIN: (&str, &str) = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
pub const TEST: (&str, &str) = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

/// The items of one split: `n` greyscale images of `side`² bytes and their classes.
#[derive(Clone, Debug)]
pub struct Items {
    pub side: usize,
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Items {
    /// Reads and cross-checks a split's image and label files in `dir`.
    pub fn load(dir: &Path, (images, labels): (&str, &str)) -> Result<Items, RunError> {
        let (ip, lp) = (dir.join(images), dir.join(labels));
        let bad = |path: &Path, problem: String| RunError::Data {
            path: path.display().to_string(),
            problem,
        };
        let hint = |e: RunError| match e {
            RunError::Data { path, problem } if !Path::new(&path).exists() => RunError::Data {
                path,
                problem: format!("{problem} (scripts/install-data.sh installs Fashion-MNIST)"),
            },
            e => e,
        };
        let img = idx::read(&ip).map_err(hint)?;
        let lab = idx::read(&lp).map_err(hint)?;
        let [n, h, w] = img.dims[..] else {
            return Err(bad(
                &ip,
                format!("has dimensions {:?}, not [images, rows, columns]", img.dims),
            ));
        };
        if h != w {
            return Err(bad(&ip, format!("holds {h}×{w} images; square ones are expected")));
        }
        if lab.dims != [n] {
            return Err(bad(
                &lp,
                format!("has dimensions {:?}, but the images file holds {n} images", lab.dims),
            ));
        }
        if let Some(l) = lab.data.iter().find(|l| **l as usize >= CLASSES) {
            return Err(bad(
                &lp,
                format!("holds label {l}; Fashion-MNIST has {CLASSES} classes"),
            ));
        }
        Ok(Items {
            side: h,
            pixels: img.data,
            labels: lab.data,
        })
    }

    /// Only the items of the first `classes` classes.
    pub fn keep_classes(self, classes: usize) -> Items {
        if classes >= CLASSES {
            return self;
        }
        let s = self.side * self.side;
        let kept: Vec<usize> = (0..self.len())
            .filter(|i| (self.labels[*i] as usize) < classes)
            .collect();
        Items {
            side: self.side,
            pixels: kept
                .iter()
                .flat_map(|i| self.pixels[i * s..(i + 1) * s].iter().copied())
                .collect(),
            labels: kept.iter().map(|i| self.labels[*i]).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    fn item(&self, i: usize) -> &[u8] {
        let s = self.side * self.side;
        &self.pixels[i * s..(i + 1) * s]
    }

    /// Item `i` alone, resized to `size`², as a 3-channel scene with its box and mask.
    pub fn single(&self, i: usize, size: usize) -> Scene {
        let mut canvas = Canvas::new(size);
        // Alone on its canvas, the item keeps its faint pixels; only its mask needs ink.
        canvas.keep_faint = true;
        canvas.paste(
            self.item(i),
            self.side,
            self.labels[i] as usize,
            (0.0, 0.0),
            size as f32,
        );
        canvas.finish()
    }
}

/// Settings of the fashion-scenes composer.
#[derive(Clone, Debug)]
pub struct FashionScenes {
    pub size: usize,
    pub objects: (usize, usize),
    /// Item sides as fractions of the canvas.
    pub scale: (f32, f32),
    pub seed: u64,
}

impl FashionScenes {
    /// Scene `index` of `stream`, composed from randomly drawn `items` (later items occlude
    /// earlier ones).
    pub fn scene(&self, items: &Items, stream: u64, index: u64) -> Scene {
        let mut rng = Rng::derive(self.seed, stream, index);
        let s = self.size as f32;
        let mut canvas = Canvas::new(self.size);
        let count = self.objects.0 + rng.below(self.objects.1 - self.objects.0 + 1);
        for _ in 0..count {
            let i = rng.below(items.len());
            let side = rng.range(self.scale.0, self.scale.1) * s;
            let at = (rng.range(0.0, s - side), rng.range(0.0, s - side));
            canvas.paste(items.item(i), items.side, items.labels[i] as usize, at, side);
        }
        canvas.finish()
    }

    /// Scenes `range` of a stream, composed in parallel.
    pub fn many(&self, items: &Items, stream: u64, range: std::ops::Range<u64>) -> Vec<Scene> {
        range.into_par_iter().map(|i| self.scene(items, stream, i)).collect()
    }
}

/// A black canvas that items are pasted on, with its instance map.
struct Canvas {
    size: usize,
    grey: Vec<f32>,
    segments: Vec<u8>,
    classes: Vec<usize>,
    /// Whether pixels at or below `INK` are painted too (they never join the mask): yes for
    /// a single item, no when items overlap, where faint edges would cut into what lies below.
    keep_faint: bool,
}

impl Canvas {
    fn new(size: usize) -> Self {
        Canvas {
            size,
            grey: vec![0.0; size * size],
            segments: vec![0; size * size],
            classes: vec![],
            keep_faint: false,
        }
    }

    /// Pastes a `side`²-byte item scaled to `scaled` pixels with its top-left corner at
    /// `(y, x)`; its inked pixels cover what lies below.
    fn paste(&mut self, item: &[u8], side: usize, class: usize, (y0, x0): (f32, f32), scaled: f32) {
        self.classes.push(class);
        let id = self.classes.len() as u8;
        let n = self.size;
        let (ys, xs) = (y0.floor().max(0.0) as usize, x0.floor().max(0.0) as usize);
        let (ye, xe) = (
            ((y0 + scaled).ceil() as usize).min(n),
            ((x0 + scaled).ceil() as usize).min(n),
        );
        for y in ys..ye {
            for x in xs..xe {
                // Nearest item pixel for this canvas pixel's centre.
                let v = (y as f32 + 0.5 - y0) / scaled * side as f32;
                let u = (x as f32 + 0.5 - x0) / scaled * side as f32;
                if v < 0.0 || u < 0.0 || v >= side as f32 || u >= side as f32 {
                    continue;
                }
                let p = item[v as usize * side + u as usize];
                if p > INK {
                    self.grey[y * n + x] = p as f32 / 255.0;
                    self.segments[y * n + x] = id;
                } else if self.keep_faint {
                    self.grey[y * n + x] = p as f32 / 255.0;
                }
            }
        }
    }

    /// The scene: grey replicated to three channels, tight boxes of the visible items only,
    /// multi-hot labels and the class of the largest item.
    fn finish(self) -> Scene {
        let n = self.size;
        let mut image = Image::new(3, n, n);
        for c in 0..3 {
            image.data[c * n * n..(c + 1) * n * n].copy_from_slice(&self.grey);
        }
        let objects = self
            .classes
            .iter()
            .map(|&class| Object {
                class,
                bbox: [0.0; 4],
                area: 0,
            })
            .collect();
        let mut scene = Scene::from_instances(image, objects, self.segments, CLASSES);
        // Items hidden entirely by later ones are dropped, and the instance map renumbered.
        let mut renumber = vec![0u8; scene.objects.len() + 1];
        let mut next = 0u8;
        for (k, o) in scene.objects.iter().enumerate() {
            if o.area > 0 {
                next += 1;
                renumber[k + 1] = next;
            }
        }
        for v in scene.segments.iter_mut() {
            *v = renumber[*v as usize];
        }
        scene.objects.retain(|o| o.area > 0);
        scene
    }
}
