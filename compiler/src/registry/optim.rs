//! Optimisers. Every numeric setting accepts a schedule.

use super::declare;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "adamw",
        category: Category::Optimizer,
        doc: "AdamW with decoupled weight decay.",
        params: declare::AdamW,
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = adamw(lr: 1e-3, weight_decay: cosine(0.04, 0.4))",
    },
    Builtin {
        name: "adam",
        category: Category::Optimizer,
        doc: "Adam with L2 weight decay.",
        params: declare::Adam,
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = adam(lr: 1e-3)",
    },
    Builtin {
        name: "sgd",
        category: Category::Optimizer,
        doc: "SGD with momentum.",
        params: declare::Sgd,
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = sgd(lr: 0.05, momentum: 0.9)",
    },
    Builtin {
        name: "lars",
        category: Category::Optimizer,
        doc: "LARS: SGD with momentum and a layer-wise trust ratio `eta`·‖w‖/‖g‖ (CYBORGS, BYOL).",
        params: declare::Lars,
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = lars(lr: 0.2, weight_decay: 1.5e-6)",
    },
    Builtin {
        name: "knn",
        category: Category::Probe,
        doc: "k-nearest-neighbour probe on frozen features (cosine similarity, votes weighted by \
              exp(sim / temperature)), trained on the training images, scored on held-out ones. \
              It probes a network applied to images, or any vector- or token-valued value the \
              recipe computes from one view (`probe = knn(z)` with `let z = v |> \
              online.backbone |> cls |> online.projector`): either runs on whole images, each \
              view in the value's making replaced by the image. Features are the class token of \
              tokens that have one, else their mean token, or the vector itself.",
        params: declare::Knn,
        variadic: None,
        rule: config,
        call: None,
        example: "train { epochs = 10 probe = knn(online.backbone, k: 20) }",
    },
    Builtin {
        name: "kmeans_segments",
        category: Category::Job,
        doc: "Every `every` epochs, runs `network` on full images, L2-normalises its dense \
              features, clusters them with k-means (`iters` Lloyd steps, K drawn from `k`) and \
              replaces the dataset's segment maps with the nearest-upsampled labels (CYBORGS). \
              `init` says where the first maps come from: the source's own (`scenes`), k-means \
              on the untrained network (`kmeans`), or about max(`k`) SLIC superpixels \
              (`superpixels`).",
        params: declare::KmeansSegments,
        variadic: None,
        rule: config,
        call: None,
        example: "job refresh = kmeans_segments(online.backbone, every: 2, k: (2, 8))",
    },
];
