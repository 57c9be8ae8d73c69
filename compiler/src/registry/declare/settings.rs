//! The lists of the settings a recipe configures: the optimisers, probes, jobs and data
//! sources, each declared once.

/// Calls `$then! { OptimizerKind, "doc"; "name" module Struct { field: Type = parameter, ... }, ... }`
/// with every optimiser, as [`tensor_ops!`](crate::tensor_ops) does with the tensor ops.
#[macro_export]
macro_rules! optimizer_kinds {
    ($then:ident) => {
        $then! {
            OptimizerKind, "The optimiser of the plan, decoded.";
            "adamw" adamw AdamW {
                lr: Schedule = LR,
                weight_decay: Schedule = arg_or(PTy::Sched, "0.05", "decoupled weight decay")
                    .within(Limit::NonNeg),
                betas: (f64, f64) = arg_or(PTy::Pair, "(0.9, 0.999)", "moment decay rates")
                    .within(Limit::Between(0.0, 1.0)),
                clip: f64 = CLIP,
                fixed_lr: Vec<String> = FIXED_LR,
                lr_scale: Vec<(String, f64)> = LR_SCALE,
                layer_decay: f64 = LAYER_DECAY,
            },
            "adam" adam Adam {
                lr: Schedule = LR,
                weight_decay: Schedule = arg_or(PTy::Sched, "0", "L2 weight decay").within(Limit::NonNeg),
                betas: (f64, f64) = arg_or(PTy::Pair, "(0.9, 0.999)", "moment decay rates")
                    .within(Limit::Between(0.0, 1.0)),
                clip: f64 = CLIP,
                fixed_lr: Vec<String> = FIXED_LR,
                lr_scale: Vec<(String, f64)> = LR_SCALE,
                layer_decay: f64 = LAYER_DECAY,
            },
            "sgd" sgd Sgd {
                lr: Schedule = LR,
                momentum: f64 = arg_or(PTy::Num, "0.9", "momentum").within(Limit::Prob),
                weight_decay: Schedule = arg_or(PTy::Sched, "0", "L2 weight decay").within(Limit::NonNeg),
                clip: f64 = CLIP,
                fixed_lr: Vec<String> = FIXED_LR,
                lr_scale: Vec<(String, f64)> = LR_SCALE,
                layer_decay: f64 = LAYER_DECAY,
            },
            "lars" lars Lars {
                lr: Schedule = LR,
                momentum: f64 = arg_or(PTy::Num, "0.9", "momentum").within(Limit::Prob),
                weight_decay: Schedule = arg_or(PTy::Sched, "1.5e-6", "weight decay").within(Limit::NonNeg),
                eta: f64 = arg_or(PTy::Num, "0.001", "trust coefficient").within(Limit::Positive),
                clip: f64 = CLIP,
                fixed_lr: Vec<String> = FIXED_LR,
                lr_scale: Vec<(String, f64)> = LR_SCALE,
                layer_decay: f64 = LAYER_DECAY,
            },
        }
    };
}

/// Calls `$then! { ProbeKind, "doc"; "name" module Struct { field: Type = parameter, ... }, ... }`
/// with every probe, as [`tensor_ops!`](crate::tensor_ops) does with the tensor ops.
#[macro_export]
macro_rules! probe_kinds {
    ($then:ident) => {
        $then! {
            ProbeKind, "The probe of the plan, decoded.";
            "knn" knn Knn {
                network: Probed = arg(
                    PTy::Probed,
                    "the network whose features are probed, or a value computed from a view",
                ),
                k: usize = arg_or(PTy::Int, "20", "neighbours").within(Limit::AtLeast1),
                temperature: f64 = arg_or(PTy::Num, "0.07", "vote temperature").within(Limit::Positive),
                images: usize = arg_or(PTy::Int, "1024", "training images used as the neighbour bank")
                    .within(Limit::AtLeast1),
            },
        }
    };
}

/// Calls `$then! { JobKind, "doc"; "name" module Struct { field: Type = parameter, ... }, ... }`
/// with every job, as [`tensor_ops!`](crate::tensor_ops) does with the tensor ops.
#[macro_export]
macro_rules! job_kinds {
    ($then:ident) => {
        $then! {
            JobKind, "A job of the plan, decoded.";
            "kmeans_segments" kmeans_segments KmeansSegments {
                network: NetRef = arg(PTy::BranchNet, "dense feature network"),
                every: usize = arg(PTy::Int, "epochs between refreshes").within(Limit::AtLeast1),
                k: (f64, f64) = arg_or(PTy::NumOrPair, "(2, 8)", "clusters, or a range to draw from")
                    .within(Limit::Between(2.0, 256.0)),
                iters: usize = arg_or(PTy::Int, "20", "Lloyd iterations").within(Limit::AtLeast1),
                init: SegmentsInit = arg_or(
                    PTy::Choice(&["scenes", "kmeans", "superpixels"]),
                    "\"kmeans\"",
                    "initial segment maps",
                ),
            },
        }
    };
}

/// Calls `$then! { SourceKind, "doc"; "name" module Struct { field: Type = parameter, ... }, ... }`
/// with every data source, as [`tensor_ops!`](crate::tensor_ops) does with the tensor ops.
#[macro_export]
macro_rules! source_kinds {
    ($then:ident) => {
        $then! {
            SourceKind, "The data source of the plan, decoded.";
            "scenes" scenes Scenes {
                size: usize = arg_or(PTy::Int, "32", "side of the square images in pixels")
                    .within(Limit::Between(8.0, 512.0)),
                count: usize = arg_or(PTy::Int, "4096", "number of training scenes").within(Limit::AtLeast1),
                holdout: usize = arg_or(PTy::Int, "1024", "number of held-out scenes for probes")
                    .within(Limit::AtLeast1),
                classes: usize = arg_or(PTy::Int, "6", "number of object classes")
                    .within(Limit::Between(2.0, 6.0)),
                objects: (f64, f64) = arg_or(
                    PTy::Pair,
                    "(1, 3)",
                    "how many objects per scene, inclusive range",
                )
                .within(Limit::Between(1.0, 8.0)),
                colours: Colours = arg_or(
                    PTy::Choice(&["class", "random"]),
                    "\"class\"",
                    "object colours: one colour per class, or random hues",
                ),
                seed: usize = arg_or(PTy::Int, "0", "generator seed").within(Limit::NonNeg),
            },
            "fashion_mnist" fashion_mnist FashionMnist {
                path: String = FASHION_PATH,
                size: usize = arg_or(PTy::Int, "28", "side of the images in pixels")
                    .within(Limit::Between(8.0, 512.0)),
                count: usize = arg_or(PTy::Int, "60000", "training images (the first ones)")
                    .within(Limit::AtLeast1),
                holdout: usize = arg_or(PTy::Int, "10000", "held-out test images for probes")
                    .within(Limit::AtLeast1),
                classes: usize = FASHION_CLASSES,
            },
            "fashion_scenes" fashion_scenes FashionScenes {
                path: String = FASHION_PATH,
                size: usize = arg_or(PTy::Int, "64", "side of the canvas in pixels")
                    .within(Limit::Between(8.0, 512.0)),
                count: usize = arg_or(PTy::Int, "4096", "training scenes").within(Limit::AtLeast1),
                holdout: usize = arg_or(PTy::Int, "1024", "held-out scenes for probes")
                    .within(Limit::AtLeast1),
                classes: usize = FASHION_CLASSES,
                objects: (f64, f64) = arg_or(PTy::Pair, "(2, 4)", "how many items per scene, inclusive range")
                    .within(Limit::Between(1.0, 8.0)),
                scale: (f64, f64) = arg_or(PTy::Pair, "(0.35, 0.6)", "item side as a fraction of the canvas")
                    .within(Limit::Between(0.05, 1.0)),
                seed: usize = arg_or(PTy::Int, "0", "composer seed").within(Limit::NonNeg),
            },
            "image_folder" image_folder ImageFolder {
                path: String = arg(PTy::Str, "the folder"),
                size: usize = arg_or(PTy::Int, "32", "side of the images after resizing")
                    .within(Limit::Between(8.0, 512.0)),
                labels: FolderLabels = arg_or(
                    PTy::Str,
                    "\"folders\"",
                    "\"folders\", \"none\" or a label file's name",
                ),
                classes: usize = arg_or(
                    PTy::Int,
                    "10",
                    "number of classes (at least as many as the labels name)",
                )
                .within(Limit::AtLeast1),
                holdout: f64 = arg_or(PTy::Num, "0.1", "fraction of the files held out")
                    .within(Limit::Between(0.01, 0.5)),
                cache: bool = arg_or(
                    PTy::Bool,
                    "false",
                    "decode every image up front and keep it (a job that rewrites segment maps needs this)",
                ),
                probe_images: usize = arg_or(
                    PTy::Int,
                    "1024",
                    "streamed: training and held-out images kept decoded for the probes",
                )
                .within(Limit::AtLeast1),
            },
        }
    };
}
