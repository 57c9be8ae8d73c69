//! An image folder: PNG and JPEG files of any size, grey or colour, decoded in parallel and
//! resized to a square (antialiased); labels from one sub-folder per class, from a label file,
//! or none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Image;
use super::files::{Labelled, fail};
use super::scenes::{Object, Picture, Scene};
use crate::error::RunError;

/// Where labels come from: one sub-folder per class (in name order), none (every image counts
/// as class 0), or a text file in the folder with `FILE,LABEL[,LABEL...]` a line, FILE relative
/// to the folder, classes in order of first appearance.
pub use sslc_compiler::plan::settings::FolderLabels as Labels;

fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// What `dir` holds, sorted by name.
fn entries(dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| fail(dir, format!("cannot be listed: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    v.sort();
    Ok(v)
}

/// The sub-folders of `dir`, sorted by name: its classes when labels come from folders.
fn sub_folders(dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    Ok(entries(dir)?.into_iter().filter(|p| p.is_dir()).collect())
}

/// Every image file under `dir` (one level of sub-folders), sorted, with its class ids.
pub fn list(dir: &Path, labels: &Labels) -> Result<(Vec<Labelled>, usize), RunError> {
    match labels {
        Labels::Folders => {
            let classes = sub_folders(dir)?;
            if classes.is_empty() {
                return Err(fail(dir, "has no sub-folders, one per class, to read labels from"));
            }
            let mut files = vec![];
            for (c, sub) in classes.iter().enumerate() {
                files.extend(entries(sub)?.into_iter().filter(|p| is_image(p)).map(|p| (p, vec![c])));
            }
            Ok((files, classes.len()))
        }
        Labels::None => {
            let files = entries(dir)?
                .into_iter()
                .filter(|p| is_image(p))
                .map(|p| (p, vec![]))
                .collect();
            Ok((files, 1))
        }
        Labels::File(name) => {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(|e| fail(&path, format!("cannot be read: {e}")))?;
            let mut ids: BTreeMap<String, usize> = BTreeMap::new();
            let mut order = 0;
            let mut files = vec![];
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let mut parts = line.split(',').map(str::trim);
                let file = parts.next().unwrap_or_default();
                let classes: Vec<usize> = parts
                    .filter(|l| !l.is_empty())
                    .map(|l| {
                        *ids.entry(l.to_string()).or_insert_with(|| {
                            order += 1;
                            order - 1
                        })
                    })
                    .collect();
                if classes.is_empty() {
                    return Err(fail(&path, format!("line {}: `{line}` names no label", n + 1)));
                }
                files.push((dir.join(file), classes));
            }
            Ok((files, ids.len().max(1)))
        }
    }
}

/// ImageNet's layout: `dir/train/CLASS/*` to train on and `dir/val/CLASS/*` held out, classes
/// named by `train`'s sub-folders (in name order) and looked up by name in `val`; or `val/`
/// flat, with a ground-truth file (`val_truth`). `None` when `dir` has no `train` and `val`
/// folders.
#[allow(clippy::type_complexity)]
pub fn split(dir: &Path) -> Result<Option<(Vec<Labelled>, Vec<Labelled>, usize)>, RunError> {
    let (train_dir, val_dir) = (dir.join("train"), dir.join("val"));
    if !(train_dir.is_dir() && val_dir.is_dir()) {
        return Ok(None);
    }
    let (train, classes) = list(&train_dir, &Labels::Folders)?;
    let names: Vec<_> = sub_folders(&train_dir)?
        .into_iter()
        .map(|p| p.file_name().map(|n| n.to_owned()))
        .collect();
    let subs = sub_folders(&val_dir)?;
    if subs.is_empty() {
        let images: Vec<PathBuf> = entries(&val_dir)?.into_iter().filter(|p| is_image(p)).collect();
        if images.is_empty() {
            return Err(fail(
                &val_dir,
                "has neither class sub-folders (as `train` has) nor images",
            ));
        }
        let classes: Vec<String> = names
            .iter()
            .map(|n| n.as_ref().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            .collect();
        let held = super::val_truth::read(dir, &val_dir, &images, &classes)?;
        return Ok(Some((train, held, classes.len())));
    }
    let mut held = vec![];
    for sub in subs {
        let Some(id) = names.iter().position(|n| n.as_deref() == sub.file_name()) else {
            return Err(fail(&sub, "is a class that `train` does not have"));
        };
        let (files, _) = list(&sub, &Labels::None)?;
        held.extend(files.into_iter().map(|(p, _)| (p, vec![id])));
    }
    Ok(Some((train, held, classes)))
}

/// Decodes one image file, 3 channels, at its own size.
pub fn decode_full(path: &Path) -> Result<Image, RunError> {
    let img = image::open(path).map_err(|e| fail(path, format!("is not a readable PNG or JPEG image: {e}")))?;
    let rgb = img.to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    let mut full = Image::new(3, h, w);
    for (x, y, p) in rgb.enumerate_pixels() {
        for c in 0..3 {
            full.set(c, y as usize, x as usize, p[c] as f32 / 255.0);
        }
    }
    Ok(full)
}

/// `full` squashed to `size`², antialiased where it shrinks (`resize::resize_box`), so a photo
/// brought down to a probe's 32 px does not alias.
pub fn squash(full: &Image, size: usize) -> Image {
    super::resize::resize_box(full, (0.0, 0.0, full.h as f32, full.w as f32), size)
}

/// The centre square of `full` at `size`² (torchvision's `Resize(size)` then
/// `CenterCrop(size)`, antialiased), and `full`'s extent in the square's pixels.
pub fn centre_square(full: &Image, size: usize) -> (Image, [f32; 4]) {
    let (h, w) = (full.h as f32, full.w as f32);
    let side = h.min(w);
    let (top, left) = (((h - side) / 2.0).floor(), ((w - side) / 2.0).floor());
    let square = super::resize::resize_box(full, (top, left, side, side), size);
    let k = size as f32 / side;
    (square, [-top * k, -left * k, h * k, w * k])
}

/// How a folder's picture becomes its scene's square image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The whole picture squashed to the square (a cached folder, whose crops come from it).
    Squash,
    /// The picture's centre square (a streamed folder: crops come from the picture itself).
    Centre,
    /// The same, keeping the picture for crops to be taken from.
    CentreKeepingPicture,
}

/// The images of `files` as scenes (a whole-image box and segment, multi-hot labels over
/// `classes`, the first label for probes), decoded in parallel; the first bad file is named.
pub fn scenes(files: &[Labelled], size: usize, classes: usize, fit: Fit) -> Result<Vec<Scene>, RunError> {
    files
        .par_iter()
        .map(|(path, ids)| {
            let full = decode_full(path)?;
            let (image, extent) = match fit {
                Fit::Squash => (squash(&full, size), [0.0, 0.0, size as f32, size as f32]),
                Fit::Centre | Fit::CentreKeepingPicture => centre_square(&full, size),
            };
            let class = ids.first().copied().unwrap_or(0);
            let objects = vec![Object {
                class,
                bbox: [0.0, 0.0, size as f32, size as f32],
                area: 0,
            }];
            let mut scene = Scene::from_instances(image, objects, vec![1; size * size], classes);
            for id in ids {
                scene.labels[*id] = 1.0;
            }
            scene.label = class;
            scene.source = (fit == Fit::CentreKeepingPicture).then(|| Picture {
                image: std::sync::Arc::new(full),
                extent,
            });
            Ok(scene)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centre_square_of_a_wide_picture_leaves_its_sides_and_says_where_they_are() {
        // 12×6: columns 0–2 at 0, 3–8 at 1, 9–11 at 0.5.
        let mut img = Image::new(1, 6, 12);
        for y in 0..6 {
            for x in 0..12 {
                img.set(
                    0,
                    y,
                    x,
                    if x < 3 {
                        0.0
                    } else if x < 9 {
                        1.0
                    } else {
                        0.5
                    },
                );
            }
        }
        let (square, extent) = centre_square(&img, 6);
        assert!(square.data.iter().all(|v| *v == 1.0), "{:?}", square.data);
        assert_eq!(extent, [0.0, -3.0, 6.0, 12.0]);
        // At 3 px every pixel is a scale of 2: the extent scales with it.
        let (_, extent) = centre_square(&img, 3);
        assert_eq!(extent, [0.0, -1.5, 3.0, 6.0]);
    }

    #[test]
    fn squashing_a_fine_pattern_averages_it_instead_of_aliasing() {
        // One-pixel stripes, 63 wide and 45 high, brought down to 6²: each output pixel covers
        // ten and a half columns, about half of them white.
        let mut img = Image::new(3, 45, 63);
        for c in 0..3 {
            for y in 0..45 {
                for x in (0..63).step_by(2) {
                    img.set(c, y, x, 1.0);
                }
            }
        }
        // Sampled only at output pixels' centres (x = 5.25, 26.25), they would come out a
        // quarter or three quarters white.
        assert_eq!([img.sample(0, 3.75, 5.25), img.sample(0, 3.75, 26.25)], [0.25, 0.75]);
        let small = squash(&img, 6);
        assert_eq!((small.h, small.w), (6, 6));
        for v in &small.data {
            assert!((v - 0.5).abs() < 0.06, "{v}");
        }
        // At its own size it is the same picture.
        let mut square = Image::new(3, 6, 6);
        square
            .data
            .iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = i as f32 / 108.0);
        assert_eq!(squash(&square, 6), square);
    }
}
