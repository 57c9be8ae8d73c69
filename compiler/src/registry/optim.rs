//! Optimisers. Every numeric setting accepts a schedule.

use super::{Args, Builtin, Category, Limit, Out, PTy, opt, req};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

const LR: super::Param = req("lr", PTy::Sched, "learning rate").within(Limit::NonNeg);
const FIXED_LR: super::Param = opt(
    "fixed_lr",
    PTy::Networks,
    "[]",
    "networks trained at the learning rate's base value throughout: the value after warm-up, \
     before any decay (SimSiam's predictor)",
);
const LR_SCALE: super::Param = opt(
    "lr_scale",
    PTy::NetFactors,
    "[]",
    "`(network, factor)` pairs: those networks train at the learning rate times their factor \
     (a faster predictor or head, a slower backbone); with `fixed_lr`, the base value times it",
)
.within(Limit::Positive);
const LAYER_DECAY: super::Param = opt(
    "layer_decay",
    PTy::Num,
    "1",
    "layer-wise learning-rate decay in every ViT of depth L: block i (1-based) trains at the \
     rate times decay^(L + 1 − i), the embeddings at decay^(L + 1), the final norm and other \
     networks at the rate (BEiT, timm's `layer_decay`, DINOv2 and CAPI); weight decay follows \
     each rate; 1 is off",
)
.within(Limit::Between(0.0, 1.0));
const CLIP: super::Param = opt(
    "clip",
    PTy::Num,
    "0",
    "clip the gradient norm of each parameter tensor to this; 0 is off",
)
.within(Limit::NonNeg);

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "adamw",
        category: Category::Optimizer,
        doc: "AdamW with decoupled weight decay.",
        params: &[
            LR,
            opt("weight_decay", PTy::Sched, "0.05", "decoupled weight decay").within(Limit::NonNeg),
            opt("betas", PTy::Pair, "(0.9, 0.999)", "moment decay rates").within(Limit::Between(0.0, 1.0)),
            CLIP,
            FIXED_LR,
            LR_SCALE,
            LAYER_DECAY,
        ],
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = adamw(lr: 1e-3, weight_decay: cosine(0.04, 0.4))",
    },
    Builtin {
        name: "adam",
        category: Category::Optimizer,
        doc: "Adam with L2 weight decay.",
        params: &[
            LR,
            opt("weight_decay", PTy::Sched, "0", "L2 weight decay").within(Limit::NonNeg),
            opt("betas", PTy::Pair, "(0.9, 0.999)", "moment decay rates").within(Limit::Between(0.0, 1.0)),
            CLIP,
            FIXED_LR,
            LR_SCALE,
            LAYER_DECAY,
        ],
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = adam(lr: 1e-3)",
    },
    Builtin {
        name: "sgd",
        category: Category::Optimizer,
        doc: "SGD with momentum.",
        params: &[
            LR,
            opt("momentum", PTy::Num, "0.9", "momentum").within(Limit::Prob),
            opt("weight_decay", PTy::Sched, "0", "L2 weight decay").within(Limit::NonNeg),
            CLIP,
            FIXED_LR,
            LR_SCALE,
            LAYER_DECAY,
        ],
        variadic: None,
        rule: config,
        call: None,
        example: "optimizer = sgd(lr: 0.05, momentum: 0.9)",
    },
    Builtin {
        name: "lars",
        category: Category::Optimizer,
        doc: "LARS: SGD with momentum and a layer-wise trust ratio `eta`·‖w‖/‖g‖ (CYBORGS, BYOL).",
        params: &[
            LR,
            opt("momentum", PTy::Num, "0.9", "momentum").within(Limit::Prob),
            opt("weight_decay", PTy::Sched, "1.5e-6", "weight decay").within(Limit::NonNeg),
            opt("eta", PTy::Num, "0.001", "trust coefficient").within(Limit::Positive),
            CLIP,
            FIXED_LR,
            LR_SCALE,
            LAYER_DECAY,
        ],
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
        params: &[
            req(
                "network",
                PTy::Probed,
                "the network whose features are probed, or a value computed from a view",
            ),
            opt("k", PTy::Int, "20", "neighbours").within(Limit::AtLeast1),
            opt("temperature", PTy::Num, "0.07", "vote temperature").within(Limit::Positive),
            opt("images", PTy::Int, "1024", "training images used as the neighbour bank").within(Limit::AtLeast1),
        ],
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
        params: &[
            req("network", PTy::BranchNet, "dense feature network"),
            req("every", PTy::Int, "epochs between refreshes").within(Limit::AtLeast1),
            opt("k", PTy::NumOrPair, "(2, 8)", "clusters, or a range to draw from").within(Limit::Between(2.0, 256.0)),
            opt("iters", PTy::Int, "20", "Lloyd iterations").within(Limit::AtLeast1),
            opt(
                "init",
                PTy::Choice(&["scenes", "kmeans", "superpixels"]),
                "\"kmeans\"",
                "initial segment maps",
            ),
        ],
        variadic: None,
        rule: config,
        call: None,
        example: "job refresh = kmeans_segments(online.backbone, every: 2, k: (2, 8))",
    },
];
