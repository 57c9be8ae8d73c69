//! Data sources: where images (and their boxes, masks and labels) come from.

use super::{Args, Builtin, Category, Limit, Out, PTy, opt, req};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

/// Where the Debian package `dataset-fashion-mnist` puts the IDX files.
const FASHION_PATH: super::Param = opt(
    "path",
    PTy::Str,
    "\"/usr/share/datasets/fashion-mnist\"",
    "folder holding the four IDX files",
);
const FASHION_CLASSES: super::Param =
    opt("classes", PTy::Int, "10", "use the items of the first N classes").within(Limit::Between(2.0, 10.0));

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
        params: &[
            opt("size", PTy::Int, "32", "side of the square images in pixels").within(Limit::Between(8.0, 512.0)),
            opt("count", PTy::Int, "4096", "number of training scenes").within(Limit::AtLeast1),
            opt("holdout", PTy::Int, "1024", "number of held-out scenes for probes").within(Limit::AtLeast1),
            opt("classes", PTy::Int, "6", "number of object classes").within(Limit::Between(2.0, 6.0)),
            opt(
                "objects",
                PTy::Pair,
                "(1, 3)",
                "how many objects per scene, inclusive range",
            )
            .within(Limit::Between(1.0, 8.0)),
            opt(
                "colours",
                PTy::Choice(&["class", "random"]),
                "\"class\"",
                "object colours: one colour per class, or random hues",
            ),
            opt("seed", PTy::Int, "0", "generator seed").within(Limit::NonNeg),
        ],
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
        params: &[
            FASHION_PATH,
            opt("size", PTy::Int, "28", "side of the images in pixels").within(Limit::Between(8.0, 512.0)),
            opt("count", PTy::Int, "60000", "training images (the first ones)").within(Limit::AtLeast1),
            opt("holdout", PTy::Int, "10000", "held-out test images for probes").within(Limit::AtLeast1),
            FASHION_CLASSES,
        ],
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
        params: &[
            FASHION_PATH,
            opt("size", PTy::Int, "64", "side of the canvas in pixels").within(Limit::Between(8.0, 512.0)),
            opt("count", PTy::Int, "4096", "training scenes").within(Limit::AtLeast1),
            opt("holdout", PTy::Int, "1024", "held-out scenes for probes").within(Limit::AtLeast1),
            FASHION_CLASSES,
            opt(
                "objects",
                PTy::Pair,
                "(2, 4)",
                "how many items per scene, inclusive range",
            )
            .within(Limit::Between(1.0, 8.0)),
            opt(
                "scale",
                PTy::Pair,
                "(0.35, 0.6)",
                "item side as a fraction of the canvas",
            )
            .within(Limit::Between(0.05, 1.0)),
            opt("seed", PTy::Int, "0", "composer seed").within(Limit::NonNeg),
        ],
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
        params: &[
            req("path", PTy::Str, "the folder"),
            opt("size", PTy::Int, "32", "side of the images after resizing").within(Limit::Between(8.0, 512.0)),
            opt(
                "labels",
                PTy::Str,
                "\"folders\"",
                "\"folders\", \"none\" or a label file's name",
            ),
            opt(
                "classes",
                PTy::Int,
                "10",
                "number of classes (at least as many as the labels name)",
            )
            .within(Limit::AtLeast1),
            opt("holdout", PTy::Num, "0.1", "fraction of the files held out").within(Limit::Between(0.01, 0.5)),
            opt(
                "cache",
                PTy::Bool,
                "false",
                "decode every image up front and keep it (a job that rewrites segment maps needs this)",
            ),
            opt(
                "probe_images",
                PTy::Int,
                "1024",
                "streamed: training and held-out images kept decoded for the probes",
            )
            .within(Limit::AtLeast1),
        ],
        variadic: None,
        rule: config,
        call: None,
        example: "data { source = image_folder(path: \"images/\", size: 32, classes: 5) batch = 64 }",
    },
];
