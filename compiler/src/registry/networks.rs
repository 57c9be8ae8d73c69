//! Network architectures. A network has no weights until a branch holds it; calling
//! `branch.net(x)` applies it, with the shape rule of the call below.

use super::declare;
use super::network_calls::{
    coord_call, cross_call, dino_call, fill_call, linear_call, mlp_call, resnet_call, transformer_call, vit_call,
};
use super::{Args, Builtin, Category, Limit, Out, PTy, Param, X, opt, req};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

fn vit_config(b: &Args) -> Result<Out, Diag> {
    let (dim, heads) = (b.int("dim"), b.int("heads"));
    if heads == 0 || dim % heads != 0 {
        return Err(Diag::OutOfRange {
            param: "heads".into(),
            value: heads as f64,
            range: format!("a divisor of dim = {dim}"),
            span: b.span_of("heads"),
        });
    }
    // Rotary positions turn pairs of a head's features for each of the two axes.
    if b.str("positions") == "rope" && (dim / heads) % 4 != 0 {
        return Err(Diag::OutOfRange {
            param: "heads".into(),
            value: heads as f64,
            range: format!(
                "a count that leaves each head a multiple of 4 wide, as rotary positions need (dim / heads = {} here)",
                dim / heads
            ),
            span: b.span_of("heads"),
        });
    }
    config(b)
}

const ONLY_X: &[Param] = &[X];

/// A ViT's call: the images, a mask, and which blocks' output to take.
const VIT_CALL: &[Param] = &[
    X,
    opt(
        "mask",
        PTy::Tensor,
        "none",
        "patches to drop, or to replace with the mask token",
    ),
    opt(
        "block",
        PTy::Int,
        "0",
        "take the tokens block N (1-based) puts out, before the final norm; 0: the final output",
    )
    .within(Limit::NonNeg),
    opt(
        "average_last",
        PTy::Int,
        "0",
        "take the mean of the last K blocks' outputs, each layer-normalised without affine (data2vec); 0: off",
    )
    .within(Limit::NonNeg),
];

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "vit",
        category: Category::Network,
        doc: "Vision Transformer: linear patch embedding, fixed 2-D sin-cos position embeddings \
              (interpolated for other crop sizes), optional CLS token, pre-norm blocks and a final \
              LayerNorm. Called with `mask:` it drops masked patches and encodes only the visible \
              ones (MAE); with `mask_token: true` it keeps every patch and replaces the masked \
              ones' embeddings with a learned mask token before the positions are added \
              (SimMIM, iBOT, data2vec). A call may take, instead of the final tokens, those an \
              inner block puts out (`block: n`) or the mean of the last K blocks' outputs, each \
              layer-normalised without parameters (`average_last: K`, data2vec's target). \
              Output: tokens (CLS first when `cls`).",
        params: declare::Vit,
        variadic: None,
        rule: vit_config,
        call: Some((VIT_CALL, vit_call)),
        example: "network backbone = vit(patch: 4, dim: 64, depth: 4, heads: 4)",
    },
    Builtin {
        name: "resnet",
        category: Category::Network,
        doc: "A ResNet in torchvision's layout: a stem, then four stages of `depth`'s blocks \
              (10: one basic block each; 18 and 34: basic blocks; 50, 101 and 152: bottlenecks), \
              widths ×1, ×2, ×4, ×8 (×4 again in bottlenecks), the last three at stride 2. \
              The `\"small\"` stem is one 3×3 convolution (total stride 8, for small images); \
              `\"imagenet\"` is torchvision's 7×7 stride-2 convolution and 3×3 max pooling \
              (total stride 32). BatchNorm normalises with the batch's statistics in training; \
              with `bn: \"running\"` it keeps running averages there (momentum 0.1) and \
              evaluation (probes, jobs, export) uses them, as torchvision's `eval()` does. Only \
              a call that trains the network moves them; an EMA copy's follow its source's by \
              the EMA rule, like its weights. \
              With `taps` the output is `concat(avgpool(stage2), avgpool(stage3), stage4)` on \
              the final grid (CYBORGS dense features). Output: tokens on the grid. \
              `sslc export` writes one in torchvision's form when it has that form: width 64, \
              the imagenet stem, running statistics and 3 channels.",
        params: declare::ResNet,
        variadic: None,
        rule: config,
        call: Some((ONLY_X, resnet_call)),
        example: "network backbone = resnet(depth: 18, stem: \"imagenet\", bn: \"running\")",
    },
    Builtin {
        name: "mlp",
        category: Category::Network,
        doc: "Multi-layer perceptron applied to each vector or token: `layers` linear layers, \
              with BatchNorm (optional) and an activation between them (BYOL projector); \
              `out_bn` adds BatchNorm after the last layer, with or without its learned scale \
              and shift (NNCLR's projector has it affine; SimSiam's and MoCo v3's plain).",
        params: declare::Mlp,
        variadic: None,
        rule: config,
        call: Some((ONLY_X, mlp_call)),
        example: "network projector = mlp(hidden: 256, out: 64)",
    },
    Builtin {
        name: "fc",
        category: Category::Network,
        doc: "One fully connected (linear) layer applied to each vector or token. (`linear` is \
              the schedule.)",
        params: declare::Fc,
        variadic: None,
        rule: config,
        call: Some((ONLY_X, linear_call)),
        example: "network decoder = fc(out: 48)",
    },
    Builtin {
        name: "transformer",
        category: Category::Network,
        doc: "Pre-norm transformer blocks over tokens (SiameseIM projector and predictor).",
        params: declare::Transformer,
        variadic: None,
        rule: config,
        call: Some((ONLY_X, transformer_call)),
        example: "network predictor = transformer(depth: 2, heads: 4)",
    },
    Builtin {
        name: "cross_transformer",
        category: Category::Network,
        doc: "Pre-norm cross-attention blocks: the tokens `x` (queries) attend to the tokens \
              `context:` and not to each other, `x + attn(norm(x), norm(context))`, then \
              `x + mlp(norm(x))` (CAPI's predictor: mask tokens at the masked places read the \
              visible patches). Queries and context are equally wide. Output: the queries' type.",
        params: declare::CrossTransformer,
        variadic: None,
        rule: config,
        call: Some((
            &[X, req("context", PTy::Tensor, "the tokens the queries attend to")],
            cross_call,
        )),
        example: "network predictor = cross_transformer(depth: 2, heads: 4)",
    },
    Builtin {
        name: "dino_head",
        category: Category::Network,
        doc: "DINO head: MLP to a `bottleneck`, L2-normalise, then a weight-normalised linear layer \
              to `prototypes` with its gain fixed at 1. `freeze_last_epochs` keeps that last layer \
              fixed for the first epochs.",
        params: declare::DinoHead,
        variadic: None,
        rule: config,
        call: Some((ONLY_X, dino_call)),
        example: "network head = dino_head(hidden: 512, bottleneck: 64, prototypes: 256)",
    },
    Builtin {
        name: "coord_embed",
        category: Category::Network,
        doc: "For every patch of a `grid`×`grid` view, its centre in the frame view's patch units \
              (from a crop geometry), with 10·log of the relative scales, embedded as sin-cos \
              features and mapped by a learned linear layer to `dim` (SiameseIM relpos; the bias \
              plays the mask token).",
        params: declare::CoordEmbed,
        variadic: None,
        rule: config,
        call: Some((ONLY_X, coord_call)),
        example: "network relpos = coord_embed(dim: 64, grid: 8)",
    },
    Builtin {
        name: "mask_fill",
        category: Category::Network,
        doc: "Puts visible tokens back on their grid and fills masked places with a learned mask \
              token (MAE decoder input); `positions: true` then adds fixed 2-D sin-cos position \
              embeddings to the grid tokens, as MAE's decoder and I-JEPA's predictor do, so a \
              transformer after it can tell the masked places apart.",
        params: declare::MaskFill,
        variadic: None,
        rule: config,
        call: Some((
            &[X, req("mask", PTy::Tensor, "the mask the tokens were taken with")],
            fill_call,
        )),
        example: "network unmask = mask_fill()",
    },
];
