//! Fashion-MNIST sources on small IDX files the test writes itself: single items with their box
//! and mask, composed fashion scenes, and malformed files reported by path and problem.

use std::io::Write;
use std::path::{Path, PathBuf};

use sslc_compiler::plan::SourceKind;
use sslc_compiler::value::{Config, Param};
use sslc_runtime::RunError;
use sslc_runtime::data::Dataset;
use sslc_runtime::data::idx::encode;

/// A fresh folder under the system's temporary directory.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-fashion-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

fn write_gz(path: &Path, bytes: &[u8]) {
    let file = std::fs::File::create(path).expect("create");
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(bytes).expect("write");
    gz.finish().expect("finish");
}

/// `n` 8×8 items: item i is a filled square of side 2 + i % 5 at the top-left corner, with
/// intensity `ink`, a faint pixel (10 of 255, below the ink threshold) in the far corner, and
/// class i % 10.
fn write_split(dir: &Path, files: (&str, &str), n: usize, ink: u8) {
    let mut pixels = vec![0u8; n * 64];
    for i in 0..n {
        let side = 2 + i % 5;
        for y in 0..side {
            for x in 0..side {
                pixels[i * 64 + y * 8 + x] = ink;
            }
        }
        pixels[i * 64 + 63] = 10;
    }
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    write_gz(&dir.join(files.0), &encode(&[n, 8, 8], &pixels));
    write_gz(&dir.join(files.1), &encode(&[n], &labels));
}

/// The source `builtin` on `dir`, decoded as the compiler decodes a recipe's.
fn config(builtin: &str, dir: &Path, extra: &[(&str, Param)]) -> SourceKind {
    let mut params = vec![
        ("path".to_string(), Param::Str(dir.display().to_string())),
        ("count".to_string(), Param::Num(20.0)),
        ("holdout".to_string(), Param::Num(10.0)),
        ("classes".to_string(), Param::Num(10.0)),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        params.push((k.to_string(), v.clone()));
    }
    sslc_compiler::plan::config(&Config {
        builtin: builtin.into(),
        params,
        tensors: vec![],
    })
    .expect("a source")
}

fn dataset_folder(name: &str) -> PathBuf {
    let dir = folder(name);
    write_split(&dir, sslc_runtime::data::fashion::TRAIN, 30, 200);
    write_split(&dir, sslc_runtime::data::fashion::TEST, 12, 100);
    dir
}

#[test]
fn single_items_keep_their_class_box_and_mask() {
    let dir = dataset_folder("single");
    let data = Dataset::open(&config("fashion_mnist", &dir, &[("size", Param::Num(8.0))])).expect("opens");
    assert_eq!((data.train.len(), data.holdout.len(), data.classes), (20, 10, 10));
    for (i, s) in data.train.iter().enumerate() {
        let side = (2 + i % 5) as f32;
        assert_eq!(s.label, i % 10);
        assert_eq!(s.labels.iter().sum::<f32>(), 1.0);
        assert_eq!(s.objects[0].bbox, [0.0, 0.0, side, side]);
        assert_eq!(s.segments.iter().filter(|v| **v == 1).count(), (side * side) as usize);
        // Grey in three equal channels, 200/255 where the item is.
        assert!((s.image.at(0, 0, 0) - 200.0 / 255.0).abs() < 1e-6);
        assert_eq!(s.image.at(1, 0, 0), s.image.at(2, 0, 0));
        // The faint pixel stays in the image but joins neither the mask nor the box.
        assert!((s.image.at(0, 7, 7) - 10.0 / 255.0).abs() < 1e-6);
        assert_eq!(s.segments[63], 0);
    }
    // Fewer classes keep only their items.
    let few = Dataset::open(&config(
        "fashion_mnist",
        &dir,
        &[("size", Param::Num(8.0)), ("classes", Param::Num(3.0))],
    ))
    .expect("opens");
    assert!(few.train.iter().all(|s| s.label < 3));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn fashion_scenes_compose_items_with_boxes_masks_and_labels() {
    let dir = dataset_folder("scenes");
    let extra = [
        ("size", Param::Num(32.0)),
        ("objects", Param::List(vec![Param::Num(2.0), Param::Num(3.0)])),
        ("scale", Param::List(vec![Param::Num(0.4), Param::Num(0.6)])),
        ("seed", Param::Num(0.0)),
    ];
    let data = Dataset::open(&config("fashion_scenes", &dir, &extra)).expect("opens");
    let again = Dataset::open(&config("fashion_scenes", &dir, &extra)).expect("opens");
    assert_eq!(
        data.train[3].image, again.train[3].image,
        "composition is deterministic"
    );
    for s in &data.train {
        assert!((1..=3).contains(&s.objects.len()));
        assert_eq!(s.labels[s.label], 1.0);
        for (k, o) in s.objects.iter().enumerate() {
            assert!(o.area > 0, "a hidden item was kept");
            assert_eq!(s.labels[o.class], 1.0);
            for p in (0..32 * 32).filter(|p| s.segments[*p] as usize == k + 1) {
                let (x, y) = ((p % 32) as f32, (p / 32) as f32);
                assert!(x >= o.bbox[0] && x + 1.0 <= o.bbox[2] && y >= o.bbox[1] && y + 1.0 <= o.bbox[3]);
            }
        }
    }
    // Held-out scenes use test items only (ink 100), training scenes train items (ink 200).
    let inks = |scenes: &[sslc_runtime::data::Scene]| -> std::collections::BTreeSet<u32> {
        scenes
            .iter()
            .flat_map(|s| s.image.data.iter().map(|v| (v * 255.0).round() as u32))
            .filter(|v| *v > 0)
            .collect()
    };
    assert_eq!(inks(&data.train), [200].into());
    assert_eq!(inks(&data.holdout), [100].into());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_truncated_or_missing_file_is_named_with_what_is_wrong() {
    let dir = dataset_folder("broken");
    let images = dir.join(sslc_runtime::data::fashion::TRAIN.0);
    let mut bytes = encode(&[30, 8, 8], &vec![0u8; 30 * 64]);
    bytes.truncate(bytes.len() - 10);
    write_gz(&images, &bytes);
    let err = Dataset::open(&config("fashion_mnist", &dir, &[("size", Param::Num(8.0))]))
        .err()
        .expect("refused");
    let RunError::Data { path, problem } = &err else {
        panic!("{err:?}")
    };
    assert!(path.ends_with("train-images-idx3-ubyte.gz"), "{path}");
    assert!(problem.contains("truncated"), "{problem}");
    std::fs::remove_file(&images).ok();
    let err = Dataset::open(&config("fashion_mnist", &dir, &[("size", Param::Num(8.0))]))
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("train-images-idx3-ubyte.gz cannot be read"),
        "{err}"
    );
    // Labels that disagree with the images in count are named too.
    write_split(&dir, sslc_runtime::data::fashion::TRAIN, 30, 200);
    write_gz(
        &dir.join(sslc_runtime::data::fashion::TRAIN.1),
        &encode(&[29], &[0u8; 29]),
    );
    let err = Dataset::open(&config("fashion_mnist", &dir, &[("size", Param::Num(8.0))]))
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("train-labels-idx1-ubyte.gz") && err.to_string().contains("30 images"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).ok();
}
