//! ImageNet's validation set as distributed: every image flat in `val/`, its class in a
//! ground-truth file beside it. Two forms are read, found in the dataset folder or in `val/`:
//!
//! - `LOC_val_solution.csv` (the Kaggle ImageNet download): a header, then
//!   `ILSVRC2012_val_00008726,n02119789 255 142 454 329 …`, the first word after the comma
//!   being the image's synset;
//! - `val.txt` (as Caffe and many scripts write it): `ILSVRC2012_val_00000001.JPEG 65`, a file
//!   and its class, either a synset or an index into the training classes in name order.
//!
//! A line's file may be named with or without its extension. Every image of `val/` must have a
//! line, and every line a known class: a mistake is named with its file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::files::{Labelled, fail};
use crate::error::RunError;

/// The ground-truth files looked for, in order, in the dataset folder and then in `val/`.
pub const TRUTH_FILES: &[&str] = &["LOC_val_solution.csv", "val.txt"];

/// The labelled images of a flat `val_dir`, classes named as `classes` (the training folder's
/// sub-folders, in name order); `images` are the image files of `val_dir`.
pub fn read(dir: &Path, val_dir: &Path, images: &[PathBuf], classes: &[String]) -> Result<Vec<Labelled>, RunError> {
    let truth = [dir, val_dir]
        .iter()
        .flat_map(|d| TRUTH_FILES.iter().map(move |f| d.join(f)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            fail(
                val_dir,
                format!(
                    "holds images but no class sub-folders, and no ground-truth file ({}) was found beside it or in it",
                    TRUTH_FILES.join(" or ")
                ),
            )
        })?;
    let text = std::fs::read_to_string(&truth).map_err(|e| fail(&truth, format!("cannot be read: {e}")))?;
    let by_stem: BTreeMap<&str, &PathBuf> = images
        .iter()
        .filter_map(|p| Some((p.file_stem()?.to_str()?, p)))
        .collect();
    let by_name: BTreeMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let mut labelled: BTreeMap<&PathBuf, usize> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (n == 0 && line.starts_with("ImageId")) {
            continue;
        }
        let at = |problem: String| fail(&truth, format!("line {}: {problem}", n + 1));
        let (file, class) = match line.split_once(',') {
            Some((file, rest)) => (file.trim(), rest.split_whitespace().next()),
            None => {
                let mut words = line.split_whitespace();
                (words.next().unwrap_or_default(), words.next())
            }
        };
        let class = class.ok_or_else(|| at(format!("`{line}` names no class")))?;
        let id = match by_name.get(class) {
            Some(id) => *id,
            None => match class.parse::<usize>() {
                Ok(i) if i < classes.len() => i,
                _ => {
                    return Err(at(format!(
                        "`{class}` is neither a class of `train` nor an index below {}",
                        classes.len()
                    )));
                }
            },
        };
        let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
        let path = by_stem
            .get(stem)
            .ok_or_else(|| at(format!("`{file}` is not an image of {}", val_dir.display())))?;
        labelled.insert(path, id);
    }
    let missing: Vec<&PathBuf> = images.iter().filter(|p| !labelled.contains_key(p)).collect();
    if let Some(first) = missing.first() {
        return Err(fail(
            &truth,
            format!(
                "has no line for {} of the {} images of val/, {} among them",
                missing.len(),
                images.len(),
                first.display()
            ),
        ));
    }
    Ok(images.iter().map(|p| (p.clone(), vec![labelled[p]])).collect())
}
