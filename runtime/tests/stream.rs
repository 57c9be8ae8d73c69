//! A streamed image folder: training files decoded a batch at a time train exactly as the same
//! folder decoded up front (`cache: true`) when the files are already square at `size`; crops
//! of other files come from the image as decoded, at its aspect ratio, and views without a crop
//! see its centre square; only the probes' images stay in memory; a job that would rewrite
//! every image is refused.

use std::path::{Path, PathBuf};

use sslc_compiler::plan::Plan;
use sslc_runtime::{RunError, Trainer, device};

/// A folder of `n` small JPEGs in two classes, each image its own colour, `side`² pixels (or
/// of varied sizes when `side` is 0).
fn jpegs(name: &str, n: u32, side: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-stream-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
    }
    for i in 0..n {
        let class = if i % 2 == 0 { "a" } else { "b" };
        let (w, h) = if side > 0 {
            (side, side)
        } else {
            (24 + i % 5, 18 + i % 7)
        };
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x * 9 + i) as u8, (y * 13) as u8, (i * 37) as u8])
        });
        img.save(dir.join(class).join(format!("{i:04}.png"))).unwrap();
    }
    dir
}

fn recipe(dir: &Path, extra: &str, job: &str) -> Plan {
    let src = format!(
        r#"
data {{
  source = image_folder(path: "{}", size: 16, classes: 2, holdout: 0.25{extra})
  batch = 8
}}
view v1 = image |> random_resized_crop(size: 16, scale: (0.3, 1.0)) |> flip(p: 0.5)
view v2 = image |> random_resized_crop(size: 16, scale: (0.3, 1.0)) |> grayscale(p: 0.2)
network backbone = vit(patch: 4, dim: 16, depth: 1, heads: 2, mlp_ratio: 2)
network projector = mlp(hidden: 32, out: 16)
network predictor = mlp(hidden: 32, out: 16)
branch online = trainable(backbone, projector, predictor)
branch target = ema(online, momentum: 0.99, nets: [backbone, projector])
let p1 = v1 |> online.backbone |> cls |> online.projector |> online.predictor
let p2 = v2 |> online.backbone |> cls |> online.projector |> online.predictor
let t1 = v1 |> target.backbone |> cls |> target.projector
let t2 = v2 |> target.backbone |> cls |> target.projector
loss byol = neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1))
optimizer = adamw(lr: 1e-3, weight_decay: 0.05)
{job}
train {{
  epochs = 2
  seed = 5
  probe = knn(online.backbone, k: 3, images: 24)
}}
"#,
        dir.display()
    );
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

fn losses(plan: &Plan) -> (Vec<f32>, Option<f64>) {
    let mut t = Trainer::new(plan, &device::default()).expect("trainer");
    let losses = (0..t.total_steps).map(|_| t.step().expect("step").loss).collect();
    (losses, t.probe().expect("probe"))
}

#[test]
fn a_streamed_folder_of_square_images_trains_exactly_as_the_cached_one() {
    let dir = jpegs("same", 64, 16);
    let streamed = recipe(&dir, ", probe_images: 10", "");
    let cached = recipe(&dir, ", cache: true", "");
    let data = sslc_runtime::data::Dataset::open(&streamed.source).expect("opens");
    // 64 files, every 4th held out: 48 to train on, 16 held out; 10 of each kept decoded.
    assert_eq!((data.len(), data.train.len(), data.holdout.len()), (48, 10, 10));
    assert!(data.stream.is_some());
    let full = sslc_runtime::data::Dataset::open(&cached.source).expect("opens");
    assert_eq!((full.len(), full.train.len(), full.holdout.len()), (48, 48, 16));
    assert!(full.stream.is_none());
    let decoded = data.stream.as_ref().unwrap().decode(&[5, 0, 47]).expect("decodes");
    for (scene, i) in decoded.iter().zip([5, 0, 47]) {
        assert_eq!(scene.image, full.train[i].image);
        assert_eq!(scene.label, full.train[i].label);
        let picture = scene.source.as_ref().expect("the picture");
        assert_eq!(*picture.image, scene.image, "square at size: the same picture");
        assert_eq!(picture.extent, [0.0, 0.0, 16.0, 16.0]);
    }
    let (a, _) = losses(&streamed);
    let (b, _) = losses(&cached);
    assert_eq!(a.len(), 12);
    assert_eq!(a, b, "the same steps, bit for bit");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_job_that_rewrites_every_image_needs_the_cache() {
    let dir = jpegs("job", 16, 0);
    let job = "job refresh = kmeans_segments(online.backbone, every: 1, k: (2, 3), iters: 2, init: \"kmeans\")";
    let plan = recipe(&dir, "", job);
    let e = Trainer::new(&plan, &device::default()).err().expect("refused");
    match e {
        RunError::Data { path, problem } => {
            assert_eq!(path, dir.display().to_string());
            assert!(
                problem.contains("job `refresh`") && problem.contains("cache: true"),
                "{problem}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(Trainer::new(&recipe(&dir, ", cache: true", job), &device::default()).is_ok());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_streamed_crop_is_cut_from_the_image_at_its_own_aspect_ratio() {
    // 64×16 pictures: the left quarter red, the rest blue. A square crop of the whole area
    // cannot fit, so torchvision's fallback takes the centred 16×16 square: all blue. Cut
    // from the picture squashed to 16×16 instead, its left quarter would be red.
    let dir = std::env::temp_dir().join(format!("sslc-stream-wide-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    for i in 0..8 {
        let img = image::RgbImage::from_fn(64, 16, |x, _| {
            if x < 16 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            }
        });
        img.save(dir.join("a").join(format!("{i}.png"))).unwrap();
    }
    let crop = "view v = image |> random_resized_crop(size: 16, scale: (1.0, 1.0), ratio: (1.0, 1.0))";
    let red_columns = |cache: &str, view: &str| -> usize {
        let src = format!(
            r#"data {{ source = image_folder(path: "{}", size: 16, classes: 1, holdout: 0.25{cache}) batch = 2 }}
{view}
network n = vit(patch: 4, dim: 8, depth: 1, heads: 1)
branch b = trainable(n)
loss l = mean(v |> b.n |> cls)
optimizer = adamw(lr: 1e-3)
train {{ epochs = 1 }}"#,
            dir.display()
        );
        let compiled = sslc_compiler::compile(&src);
        assert!(!compiled.has_errors(), "{:?}", compiled.diags);
        let plan = compiled.plan.unwrap();
        let data = sslc_runtime::data::Dataset::open(&plan.source).expect("opens");
        let scenes = match &data.stream {
            Some(s) => s.decode(&[0]).unwrap(),
            None => vec![data.train[0].clone()],
        };
        let program = sslc_runtime::exec::Program::new(&plan).unwrap();
        let refs: Vec<_> = scenes.iter().collect();
        let views = program
            .views
            .batch(&refs, vec![sslc_runtime::rng::Rng::new(1)], &device::default())
            .unwrap();
        let images = views.into_iter().next().unwrap().1.images().unwrap();
        // Red where the red channel exceeds the blue one, column by column of the first row.
        let v: Vec<f32> = images.try_into_vec_as::<f32>().unwrap();
        (0..16).filter(|x| v[*x] > v[2 * 256 + *x]).count()
    };
    assert_eq!(red_columns("", crop), 0, "streamed: the centre of the picture");
    assert_eq!(
        red_columns(", cache: true", crop),
        4,
        "cached: the squashed picture's left quarter"
    );
    // A view without a crop sees the scene's square: streamed, the picture's centre (as
    // torchvision's Resize and CenterCrop give it); cached, the whole picture squashed.
    let whole = "view v = image |> flip(p: 0.0)";
    assert_eq!(red_columns("", whole), 0, "streamed: the centre square");
    assert_eq!(red_columns(", cache: true", whole), 4, "cached: squashed");
    std::fs::remove_dir_all(dir).ok();
}
