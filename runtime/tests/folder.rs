//! The image-folder source on PNG and JPEG files the test writes itself: grey and colour images
//! of any size, labels from sub-folders or a label file, and a corrupt image named by its path.

use std::path::{Path, PathBuf};

use sslc_compiler::plan::SourceKind;
use sslc_compiler::value::{Config, Param};
use sslc_runtime::RunError;
use sslc_runtime::data::Dataset;

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-folder-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// A grey PNG of `w`×`h` at level `v`.
fn grey_png(path: &Path, w: u32, h: u32, v: u8) {
    image::GrayImage::from_pixel(w, h, image::Luma([v]))
        .save(path)
        .expect("png");
}

/// A colour JPEG of `w`×`h`, pure red.
fn red_jpeg(path: &Path, w: u32, h: u32) {
    image::RgbImage::from_pixel(w, h, image::Rgb([255, 0, 0]))
        .save(path)
        .expect("jpeg");
}

/// An image folder source on `dir`, decoded as the compiler decodes a recipe's.
fn config(dir: &Path, labels: &str) -> SourceKind {
    sslc_compiler::plan::config(&Config {
        builtin: "image_folder".into(),
        params: vec![
            ("path".into(), Param::Str(dir.display().to_string())),
            ("size".into(), Param::Num(8.0)),
            ("labels".into(), Param::Str(labels.into())),
            ("classes".into(), Param::Num(3.0)),
            ("holdout".into(), Param::Num(0.25)),
            // Every image decoded up front, as these tests look at all of them.
            ("cache".into(), Param::Bool(true)),
            ("probe_images".into(), Param::Num(1024.0)),
        ],
        tensors: vec![],
    })
    .expect("a source")
}

#[test]
fn class_folders_give_labels_and_images_of_any_size_are_resized() {
    let dir = folder("classes");
    for class in ["a_grey", "b_red"] {
        std::fs::create_dir_all(dir.join(class)).expect("class folder");
    }
    for i in 0..4 {
        grey_png(&dir.join("a_grey").join(format!("{i}.png")), 10 + i, 7, 128);
        red_jpeg(&dir.join("b_red").join(format!("{i}.jpg")), 20, 12 + i);
    }
    std::fs::write(dir.join("a_grey").join("notes.txt"), "not an image").expect("write");
    let data = Dataset::open(&config(&dir, "folders")).expect("opens");
    // 8 images, every 4th held out.
    assert_eq!((data.train.len(), data.holdout.len(), data.classes), (6, 2, 3));
    for s in data.train.iter().chain(&data.holdout) {
        assert_eq!((s.image.c, s.image.h, s.image.w), (3, 8, 8));
        assert_eq!(s.labels.iter().sum::<f32>(), 1.0);
        let (r, g) = (s.image.at(0, 4, 4), s.image.at(1, 4, 4));
        if s.label == 0 {
            assert!(
                (r - 128.0 / 255.0).abs() < 0.01 && (g - r).abs() < 1e-6,
                "grey: {r} {g}"
            );
        } else {
            assert!(r > 0.9 && g < 0.1, "red: {r} {g}");
        }
    }
    assert!(data.train.iter().any(|s| s.label == 0) && data.train.iter().any(|s| s.label == 1));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_label_file_gives_multi_labels() {
    let dir = folder("file");
    for i in 0..4 {
        grey_png(&dir.join(format!("{i}.png")), 9, 9, 50);
    }
    std::fs::write(
        dir.join("labels.csv"),
        "0.png,shoe\n1.png,shoe,bag\n2.png,bag\n3.png,hat,shoe\n",
    )
    .expect("labels");
    let data = Dataset::open(&config(&dir, "labels.csv")).expect("opens");
    let all: Vec<_> = data.train.iter().chain(&data.holdout).collect();
    // Classes in order of first appearance: shoe 0, bag 1, hat 2.
    let multi = all.iter().filter(|s| s.labels == vec![1.0, 1.0, 0.0]).count();
    assert_eq!(multi, 1, "1.png is a shoe and a bag");
    assert!(
        all.iter().any(|s| s.labels == vec![1.0, 0.0, 1.0] && s.label == 2),
        "3.png: hat first"
    );
    // More classes than the recipe declares is an error naming the folder.
    std::fs::write(dir.join("labels.csv"), "0.png,a\n1.png,b\n2.png,c\n3.png,d\n").expect("labels");
    let err = Dataset::open(&config(&dir, "labels.csv")).err().expect("refused");
    assert!(err.to_string().contains("holds 4 classes"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_corrupt_image_is_named_by_its_path() {
    let dir = folder("corrupt");
    std::fs::create_dir_all(dir.join("only")).expect("class folder");
    grey_png(&dir.join("only").join("good.png"), 8, 8, 10);
    std::fs::write(dir.join("only").join("broken.png"), b"\x89PNG\r\n\x1a\nnot really").expect("write");
    let err = Dataset::open(&config(&dir, "folders")).err().expect("refused");
    let RunError::Data { path, problem } = &err else {
        panic!("{err:?}")
    };
    assert!(path.ends_with("broken.png"), "{path}");
    assert!(problem.contains("not a readable PNG or JPEG"), "{problem}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_folder_too_small_for_its_held_out_split_is_refused_by_name() {
    for files in [0, 1, 3] {
        let dir = folder(&format!("small{files}"));
        std::fs::create_dir_all(dir.join("only")).expect("class folder");
        for i in 0..files {
            grey_png(&dir.join("only").join(format!("{i}.png")), 8, 8, 10);
        }
        // Every 4th file is held out: three files leave none for the probe.
        match Dataset::open(&config(&dir, "folders")) {
            Err(RunError::Data { path, problem }) => {
                assert_eq!(path, dir.display().to_string());
                assert!(problem.contains(&format!("holds {files} image file(s)")), "{problem}");
            }
            other => panic!("{files} files: {:?}", other.map(|d| (d.train.len(), d.holdout.len()))),
        }
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn imagenets_layout_holds_out_val_and_names_its_classes_as_train_does() {
    let dir = folder("imagenet");
    for class in ["n01", "n02", "n03"] {
        std::fs::create_dir_all(dir.join("train").join(class)).unwrap();
        for i in 0..3 {
            grey_png(&dir.join("train").join(class).join(format!("{i}.png")), 12, 9, 40);
        }
    }
    // `val` lacks n02: its n03 must still be class 2, not 1.
    for class in ["n01", "n03"] {
        std::fs::create_dir_all(dir.join("val").join(class)).unwrap();
        red_jpeg(&dir.join("val").join(class).join("0.JPEG"), 16, 10);
    }
    let data = Dataset::open(&config(&dir, "folders")).expect("opens");
    assert_eq!((data.train.len(), data.holdout.len(), data.classes), (9, 2, 3));
    let mut held: Vec<usize> = data.holdout.iter().map(|s| s.label).collect();
    held.sort();
    assert_eq!(held, [0, 2]);
    assert!(
        data.holdout.iter().all(|s| s.image.at(0, 4, 4) > 0.9),
        "val's images are the red ones"
    );

    std::fs::create_dir_all(dir.join("val").join("n09")).unwrap();
    let e = Dataset::open(&config(&dir, "folders"))
        .err()
        .expect("an unknown class is refused");
    match e {
        RunError::Data { path, problem } => {
            assert!(path.ends_with("n09"), "{path}");
            assert!(problem.contains("`train` does not have"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(dir).ok();
}

/// ImageNet's `train/CLASS/*` with its `val/` flat, as distributed.
fn flat_imagenet(name: &str) -> PathBuf {
    let dir = folder(name);
    for class in ["n01", "n02", "n03"] {
        std::fs::create_dir_all(dir.join("train").join(class)).unwrap();
        for i in 0..2 {
            grey_png(&dir.join("train").join(class).join(format!("{i}.png")), 12, 9, 40);
        }
    }
    // Image i is grey at level 60·i, so each held-out scene says which file it came from.
    std::fs::create_dir_all(dir.join("val")).unwrap();
    for i in 1..=3 {
        grey_png(
            &dir.join("val").join(format!("ILSVRC2012_val_0000000{i}.png")),
            16,
            10,
            60 * i,
        );
    }
    dir
}

/// The class of each held-out image, by file number (1, 2, 3).
fn held_labels(dir: &Path) -> Vec<usize> {
    let data = Dataset::open(&config(dir, "folders")).expect("opens");
    assert_eq!((data.train.len(), data.holdout.len(), data.classes), (6, 3, 3));
    let mut by_file: Vec<(usize, usize)> = data
        .holdout
        .iter()
        .map(|s| (((s.image.at(0, 4, 4) * 255.0) / 60.0).round() as usize, s.label))
        .collect();
    by_file.sort();
    assert_eq!(by_file.iter().map(|f| f.0).collect::<Vec<_>>(), [1, 2, 3]);
    by_file.into_iter().map(|f| f.1).collect()
}

fn refusal(dir: &Path) -> (String, String) {
    match Dataset::open(&config(dir, "folders")).err().expect("refused") {
        RunError::Data { path, problem } => (path, problem),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_flat_val_takes_its_classes_from_kaggles_solution_file_or_a_val_txt() {
    let dir = flat_imagenet("flat-val");
    // Kaggle's file: a header, image ids without extension, the synset first among the boxes.
    std::fs::write(
        dir.join("LOC_val_solution.csv"),
        "ImageId,PredictionString\n\
         ILSVRC2012_val_00000002,n01 1 2 3 4 n01 5 6 7 8\n\
         ILSVRC2012_val_00000001,n03 1 2 3 4\n\
         ILSVRC2012_val_00000003,n02 9 9 9 9\n",
    )
    .unwrap();
    assert_eq!(held_labels(&dir), [2, 0, 1]);
    std::fs::remove_file(dir.join("LOC_val_solution.csv")).unwrap();
    // Caffe's val.txt inside val/: files with their extension and class indices.
    std::fs::write(
        dir.join("val").join("val.txt"),
        "ILSVRC2012_val_00000001.png 1\nILSVRC2012_val_00000002.png 1\nILSVRC2012_val_00000003.png 0\n",
    )
    .unwrap();
    assert_eq!(held_labels(&dir), [1, 1, 0]);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_flat_val_without_a_class_for_every_image_is_refused_by_file_and_line() {
    let dir = flat_imagenet("flat-val-bad");
    let (path, problem) = refusal(&dir);
    assert!(path.ends_with("val"), "{path}");
    assert!(problem.contains("LOC_val_solution.csv or val.txt"), "{problem}");

    let truth = dir.join("val.txt");
    std::fs::write(&truth, "ILSVRC2012_val_00000001 n01\nILSVRC2012_val_00000003 n02\n").unwrap();
    let (path, problem) = refusal(&dir);
    assert!(path.ends_with("val.txt"), "{path}");
    assert!(
        problem.contains("no line for 1 of the 3 images") && problem.contains("_00000002"),
        "{problem}"
    );

    std::fs::write(&truth, "ILSVRC2012_val_00000001 n01\nILSVRC2012_val_00000002 n07\n").unwrap();
    let (_, problem) = refusal(&dir);
    assert!(
        problem.starts_with("line 2: `n07` is neither a class of `train`"),
        "{problem}"
    );

    std::fs::write(&truth, "ILSVRC2012_val_00000009 n01\n").unwrap();
    let (_, problem) = refusal(&dir);
    assert!(
        problem.starts_with("line 1: `ILSVRC2012_val_00000009` is not an image of"),
        "{problem}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_first_images_of_a_folder_listed_by_class_are_of_every_class() {
    // The probes take the first images: in name order they would all be class `a`.
    let dir = folder("mixed");
    for class in ["a", "b", "c"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for i in 0..12 {
            grey_png(&dir.join(class).join(format!("{i:02}.png")), 8, 8, 10);
        }
    }
    let data = Dataset::open(&config(&dir, "folders")).expect("opens");
    let first: std::collections::BTreeSet<usize> = data.train[..9].iter().map(|s| s.label).collect();
    assert_eq!(first.len(), 3, "classes among the first nine: {first:?}");
    let again = Dataset::open(&config(&dir, "folders")).expect("opens");
    let labels = |d: &Dataset| d.train.iter().map(|s| s.label).collect::<Vec<_>>();
    assert_eq!(labels(&data), labels(&again), "the same order every time");
    std::fs::remove_dir_all(dir).ok();
}
