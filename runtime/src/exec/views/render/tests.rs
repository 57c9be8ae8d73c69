//! Views made on the device against the same views made on the CPU: the same draws, so the
//! same pixels within resampling tolerance, from square images and from larger pictures of
//! other sizes (the antialiased path and the bilinear one both), UniVIP's pairs and boxes, and a
//! clear refusal of a pipeline with an op that has no device form.

use std::sync::Arc;

use sslc_compiler::plan::Plan;

use super::resample::{Pixels, pixels, upload};
use crate::data::scenes::Picture;
use crate::data::{Dataset, Image, Scene};
use crate::error::RunError;
use crate::exec::views::{Cpu, ViewStage};
use crate::rng::Rng;
use crate::val::Val;

fn plan(views: &str) -> Plan {
    let src = format!(
        "data {{\n  source = scenes(size: 32, count: 16, holdout: 8)\n  batch = 16\n}}\n{views}\n\
         network enc = vit(patch: 8, dim: 16, depth: 1, heads: 2)\n\
         branch online = trainable(enc)\n\
         loss l = mse(online.enc(a) |> mean_tokens, sg(online.enc(b) |> mean_tokens))\n\
         optimizer = adamw(lr: 1e-3)\n"
    );
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

/// BYOL's pipelines at 24 px, every photometric op likely enough to show in 16 images.
const BYOL: &str = "view a = image\n\
  |> random_resized_crop(size: 24, scale: (0.08, 1.0))\n\
  |> flip(p: 0.5)\n\
  |> color_jitter(brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, p: 0.8)\n\
  |> grayscale(p: 0.2)\n\
  |> blur(p: 0.5, sigma: (2.0, 20.0))\n\
view b = image\n\
  |> random_resized_crop(size: 24, scale: (0.08, 1.0))\n\
  |> flip(p: 0.5)\n\
  |> color_jitter(brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, p: 0.8)\n\
  |> grayscale(p: 0.2)\n\
  |> solarize(p: 0.5)";

/// Every output's values, made by `stage` from `scenes` with the generators of image i.
fn made(stage: &ViewStage, scenes: &[&Scene]) -> Vec<Vec<f32>> {
    let rngs = (0..scenes.len() as u64).map(|i| Rng::derive(3, 7, i)).collect();
    let device = crate::device::default();
    let out = stage.batch(scenes, rngs, &device).expect("views");
    out.into_iter()
        .map(|(_, v)| match v {
            Val::Images(t) => t.into_data().try_to_vec::<f32>().expect("floats"),
            other => panic!("not images: {other:?}"),
        })
        .collect()
}

/// Asserts that the two paths' views agree: all but one value in 10,000 within 1e-4 (a value
/// within rounding of the solarize threshold may land on either side of it).
fn agree(cpu: &[Vec<f32>], device: &[Vec<f32>]) {
    assert_eq!(cpu.len(), device.len());
    for (c, d) in cpu.iter().zip(device) {
        assert_eq!(c.len(), d.len());
        let off = c.iter().zip(d).filter(|(a, b)| (*a - *b).abs() > 1e-4).count();
        assert!(off * 10_000 <= c.len(), "{off} of {} values differ", c.len());
        let spread = c.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(spread > 0.5, "views with content");
    }
}

/// Asserts that `plan`'s views of `scenes` made on the device are its CPU views.
fn both_paths_agree(plan: &Plan, scenes: &[&Scene]) {
    let (cpu, device) = (
        ViewStage::new(plan).expect("cpu"),
        ViewStage::on(plan, true).expect("device"),
    );
    assert!(device.on_device);
    agree(&made(&cpu, scenes), &made(&device, scenes));
}

#[test]
fn views_made_on_the_device_are_the_cpu_views() {
    let plan = plan(BYOL);
    let data = Dataset::open(&plan.source).expect("scenes");
    let scenes: Vec<&Scene> = data.train.iter().collect();
    both_paths_agree(&plan, &scenes);
}

/// Each of `data`'s scenes with a picture larger than the square, each its own size, some wider
/// and some taller, its values drawn by `value`.
fn with_pictures(data: &Dataset, mut value: impl FnMut() -> f32) -> Vec<Scene> {
    data.train
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (h, w) = (40 + 3 * i, 72 - 2 * i);
            let mut image = Image::new(3, h, w);
            image.data.iter_mut().for_each(|v| *v = value());
            let mut s = s.clone();
            s.source = Some(Picture {
                image: Arc::new(image),
                extent: [0.0, 0.0, 32.0, 32.0],
            });
            s
        })
        .collect()
}

#[test]
fn views_cut_from_pictures_of_other_sizes_agree_too() {
    let plan = plan(BYOL);
    let data = Dataset::open(&plan.source).expect("scenes");
    let mut rng = Rng::new(11);
    let scenes = with_pictures(&data, || rng.range(0.0, 1.0));
    let scenes: Vec<&Scene> = scenes.iter().collect();
    both_paths_agree(&plan, &scenes);
}

#[test]
fn decoded_pictures_travel_as_bytes_and_make_the_same_views() {
    let plan = plan(BYOL);
    let data = Dataset::open(&plan.source).expect("scenes");
    // Values as a decoder reads a byte: p / 255.
    let mut rng = Rng::new(12);
    let scenes = with_pictures(&data, || (rng.range(0.0, 256.0) as u8) as f32 / 255.0);
    let pictures: Vec<&Image> = scenes
        .iter()
        .filter_map(|s| s.source.as_ref())
        .map(|p| &*p.image)
        .collect();
    let [h, w] =
        [pictures.iter().map(|i| i.h).max(), pictures.iter().map(|i| i.w).max()].map(Option::unwrap_or_default);
    let (shape, all) = ([3, h, w], [pictures.len(), 3, h, w]);
    let Pixels::Bytes(bytes) = pixels(&pictures, shape) else {
        panic!("decoded pictures are bytes");
    };
    // On the device they are the values the host holds, bit for bit.
    let floats: Vec<f32> = bytes.iter().map(|&b| b as f32 / 255.0).collect();
    let device = crate::device::default();
    let from = |p: Pixels| upload(p, all, &device).into_data().try_to_vec::<f32>().expect("floats");
    let (sent, held) = (from(Pixels::Bytes(bytes)), from(Pixels::Floats(floats)));
    let differ = sent
        .iter()
        .zip(&held)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    assert!(
        sent.len() == held.len() && differ == 0,
        "{differ} of {} values differ",
        held.len()
    );
    let scenes: Vec<&Scene> = scenes.iter().collect();
    both_paths_agree(&plan, &scenes);
    // One value that is no byte's sends them all as floats.
    let mut pictures: Vec<Image> = pictures.into_iter().cloned().collect();
    pictures[3].data[17] += 1e-3;
    assert!(matches!(
        pixels(&pictures.iter().collect::<Vec<_>>(), shape),
        Pixels::Floats(_)
    ));
}

#[test]
fn a_flip_before_the_crop_is_made_on_the_device_too() {
    // SiameseIM flips the image, then crops it: the box is drawn on the flipped image.
    let plan = plan(
        "view a = image |> flip(p: 0.5) |> random_resized_crop(size: 24, scale: (0.08, 1.0)) |> blur(p: 0.5)\n\
         view b = image |> flip(p: 0.5) |> random_resized_crop(size: 24, scale: (0.08, 1.0))",
    );
    let data = Dataset::open(&plan.source).expect("scenes");
    let scenes: Vec<&Scene> = data.train.iter().collect();
    both_paths_agree(&plan, &scenes);
}

/// `recipe`'s plan on 16 scenes (8 held out).
fn small(recipe: &str) -> Plan {
    let src = recipe.replace("count: 2048, holdout: 1024", "count: 16, holdout: 8");
    let compiled = sslc_compiler::compile(&src);
    assert!(!compiled.has_errors(), "{:?}", compiled.diags);
    compiled.plan.expect("a plan")
}

#[test]
fn univips_pairs_and_boxes_are_cut_on_the_device_alike() {
    // A pair of crops whose overlap holds boxes, each coloured its own way, and boxes of that
    // overlap cut bilinearly at 16 px (growing small boxes, shrinking large ones).
    let plan = small(include_str!("../../../../../recipes/univip.ssl"));
    let data = Dataset::open(&plan.source).expect("scenes");
    let scenes: Vec<&Scene> = data.train.iter().collect();
    both_paths_agree(&plan, &scenes);
    // Every image view of the recipe is made there, none on the CPU.
    let stage = ViewStage::on(&plan, true).expect("device");
    let views = stage.one(scenes[0], &mut Rng::new(5)).expect("views");
    assert_eq!(views.len(), 3);
    assert!(views.iter().all(|v| matches!(v, Cpu::Deferred(_))));
}

#[test]
fn where_views_lie_is_read_from_views_made_on_the_device_alike() {
    // SiameseIM's queries: where view 2 lies in view 1's frame, from the crops the draws placed.
    let plan = small(include_str!("../../../../../recipes/siameseim.ssl"));
    let data = Dataset::open(&plan.source).expect("scenes");
    let scenes: Vec<&Scene> = data.train.iter().collect();
    let rngs = || (0..scenes.len() as u64).map(|i| Rng::derive(3, 7, i)).collect();
    let device = crate::device::default();
    let geometry = |stage: ViewStage| -> Vec<f32> {
        let out = stage.batch(&scenes, rngs(), &device).expect("views");
        out.into_iter()
            .find_map(|(_, v)| match v {
                Val::Vectors(t) => Some(t.into_data().try_to_vec::<f32>().expect("floats")),
                _ => None,
            })
            .expect("the geometry")
    };
    let (cpu, on_device) = (
        ViewStage::new(&plan).expect("cpu"),
        ViewStage::on(&plan, true).expect("device"),
    );
    assert!(on_device.on_device);
    assert_eq!(geometry(cpu), geometry(on_device));
}

#[test]
fn a_pipeline_with_an_op_that_has_no_device_form_is_refused_by_name() {
    let plan = plan(
        "view a = image |> random_resized_crop(size: 24) |> random_resized_crop(size: 16)\n\
         view b = image |> random_resized_crop(size: 16)",
    );
    let Err(RunError::Unsupported(why)) = ViewStage::on(&plan, true) else {
        panic!("a crop of a crop on the device is refused");
    };
    assert!(
        why.contains("`random_resized_crop`") && why.contains("data.views = \"cpu\""),
        "{why}"
    );
    assert!(ViewStage::new(&plan).is_ok());
}
