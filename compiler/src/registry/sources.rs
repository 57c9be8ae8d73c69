//! Data sources: where images (and their boxes, masks and labels) come from.

use super::declare;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "scenes",
        category: Category::Source,
        doc: "Procedural multi-object scenes generated on the fly: several object classes with \
          distinct shapes, colours and textures on textured backgrounds (`colours: \"random\"` \
          draws each object's hue at random, so a class shows only in shape and texture: a \
          harder test of what views teach). Gives `image` \
          (3×size×size), `boxes` (every object's box), `segments` (an instance map), `labels` \
          (multi-hot classes present) and a single label (largest object) for probing. \
          Deterministic for a seed; nothing is downloaded. Training scenes that would take more \
          than 2 GiB (`count: 100000` at 224 px takes 61 GiB) are generated a batch at a time \
          instead of held in memory, each drawn from its index, so the run is the same; a job \
          that rewrites every image keeps them in memory.",
        params: declare::Scenes,
        variadic: None,
        rule: config,
        call: None,
        example: "data { source = scenes(size: 32, count: 4096) batch = 64 }",
    },
    Builtin {
        name: "fashion_mnist",
        category: Category::Source,
        doc: "Fashion-MNIST read from its IDX `.gz` files in `path` (the training split trains, the \
              test split is held out): one greyscale item per image, replicated to 3 channels and \
              resized to `size`. Gives `image`, `boxes` (the item's box), `segments` (its mask), \
              `labels` (one-hot) and its class for probing. A missing, truncated or malformed \
              file stops the run with its path and what is wrong.",
        params: declare::FashionMnist,
        variadic: None,
        rule: config,
        call: None,
        example: "data { source = fashion_mnist(size: 28, count: 10000) batch = 128 }",
    },
    Builtin {
        name: "fashion_scenes",
        category: Category::Source,
        doc: "Fashion scenes: deterministic composites of Fashion-MNIST items (from the IDX files in \
              `path`) on a black `size`×`size` canvas, later items occluding earlier ones. Gives \
              `image`, `boxes` and `segments` of every visible item, `labels` (the multi-hot \
              classes present) and the class of the largest item for probing. Held-out scenes \
              use only test-split items. Like `scenes`, training scenes beyond 2 GiB are \
              composed a batch at a time.",
        params: declare::FashionScenes,
        variadic: None,
        rule: config,
        call: None,
        example: "data { source = fashion_scenes(size: 64, objects: (2, 4)) batch = 64 }",
    },
    Builtin {
        name: "image_folder",
        category: Category::Source,
        doc: "PNG and JPEG images from a folder, any size, grey or colour, decoded in parallel \
              and brought to `size`×`size` (3 channels). `labels`: \"folders\" (one sub-folder \
              per class, in name order), \"none\", or the name of a label file in the folder \
              with `FILE,LABEL[,LABEL...]` lines (multi-label; FILE relative to the folder, so a \
              label file is also a file list). Every 1/`holdout`-th file in name order is held \
              out for probes, except in ImageNet's layout (`train/CLASS/*` and `val/CLASS/*`, \
              labels \"folders\"), where `val` is the held-out set; a flat `val/` takes its \
              classes from `LOC_val_solution.csv` (Kaggle's) or `val.txt` (`FILE CLASS`, a \
              synset or a class index) beside it or in it. Training images are read \
              from disk when a batch needs them, decoded on worker threads while the step before \
              runs, so memory does not grow with the folder; a crop of one is cut from the image \
              as decoded, at its own aspect ratio, and resized with antialiasing; `image` \
              itself (views without a crop, the probes) is the picture's centre square at \
              `size` (torchvision's `Resize` and `CenterCrop`); the probes use the first \
              `probe_images` training and held-out images, kept decoded. `cache: true` decodes \
              and keeps everything instead, squashed to `size`×`size`, and crops come from that. \
              Gives `image`, `labels` (multi-hot), a whole-image box and segment. A corrupt image \
              stops the run with its path.",
        params: declare::ImageFolder,
        variadic: None,
        rule: config,
        call: None,
        example: "data { source = image_folder(path: \"images/\", size: 32, classes: 5) batch = 64 }",
    },
];
