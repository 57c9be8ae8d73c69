//! The shape rule of each network's call: from the network's configuration and the call's
//! arguments, the type of what `branch.net(x)` gives (tokens, vectors, an image's grid), or why
//! the call does not fit.

use super::Args;
use super::rules::{exact_keep, mask_views, mismatch};
use crate::diag::Diag;
use crate::types::Ty;

pub(super) fn vit_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    let (patch, dim, cls) = (net.int("patch"), net.int("dim"), net.flag("cls"));
    let Ty::Image { c, h, w, n } = call.tensor("x")?.0.clone() else {
        return Err(mismatch(call, "x", "the input of vit", "an image"));
    };
    if c != net.int("channels") {
        return Err(mismatch(
            call,
            "x",
            "the input of vit",
            format!("{} channels", net.int("channels")),
        ));
    }
    if h % patch != 0 || w % patch != 0 {
        return Err(mismatch(
            call,
            "x",
            "the input of vit",
            format!("a side divisible by the patch size {patch}"),
        ));
    }
    let (gh, gw) = (h / patch, w / patch);
    let extra = u64::from(cls);
    let depth = net.int("depth");
    let out_of = |param: &str, range: String| Diag::OutOfRange {
        param: param.into(),
        value: call.int(param) as f64,
        range,
        span: call.span_of(param),
    };
    for param in ["block", "average_last"] {
        if call.int(param) > depth {
            return Err(out_of(param, format!("at most the network's depth, {depth}")));
        }
    }
    if call.int("block") > 0 && call.int("average_last") > 0 {
        return Err(out_of(
            "block",
            "0 when `average_last` is given: a call takes one output".into(),
        ));
    }
    if call.tensor_opt("mask").is_some() {
        mask_views(call, "mask", "the mask of vit", n)?;
    }
    match call.tensor_opt("mask") {
        None => Ok(Ty::Tokens {
            len: gh * gw + extra,
            dim,
            grid: Some((gh, gw)),
            cls,
            n,
        }),
        Some((Ty::Mask { grid, .. }, _)) if *grid == (gh, gw) && net.flag("mask_token") => Ok(Ty::Tokens {
            len: gh * gw + extra,
            dim,
            grid: Some((gh, gw)),
            cls,
            n,
        }),
        Some((Ty::Mask { grid, keep, .. }, _)) if *grid == (gh, gw) => Ok(Ty::Tokens {
            len: exact_keep(call, "mask", "the mask of vit", *keep)? + extra,
            dim,
            grid: None,
            cls,
            n,
        }),
        Some((Ty::Mask { .. }, _)) => Err(mismatch(
            call,
            "mask",
            "the mask of vit",
            format!("a mask over the {gh}×{gw} token grid"),
        )),
        Some(_) => Err(mismatch(call, "mask", "the mask of vit", "a mask")),
    }
}

pub(super) fn resnet_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    let Ty::Image { c, h, w, n } = call.tensor("x")?.0.clone() else {
        return Err(mismatch(call, "x", "the input of resnet", "an image"));
    };
    if c != net.int("channels") {
        return Err(mismatch(
            call,
            "x",
            "the input of resnet",
            format!("{} channels", net.int("channels")),
        ));
    }
    // The small stem keeps the resolution; torchvision's halves it twice (stride-2 convolution,
    // then max pooling). Three stride-2 stages follow either.
    let stride = if net.str("stem") == "imagenet" { 32 } else { 8 };
    if h % stride != 0 || w % stride != 0 {
        return Err(mismatch(
            call,
            "x",
            "the input of resnet",
            format!("a side divisible by {stride}, its total stride"),
        ));
    }
    // Bottleneck blocks (depth 50 and more) widen each stage's output four times.
    let expansion = if net.int("depth") >= 50 { 4 } else { 1 };
    let width = net.int("width") * expansion;
    let dim = if net.flag("taps") {
        width * (2 + 4 + 8)
    } else {
        width * 8
    };
    let (gh, gw) = (h / stride, w / stride);
    Ok(Ty::Tokens {
        len: gh * gw,
        dim,
        grid: Some((gh, gw)),
        cls: false,
        n,
    })
}

/// Per-feature networks keep the kind of their input and change its width.
pub(super) fn featurewise(call: &Args, out: u64, what: &str) -> Result<Ty, Diag> {
    let t = call.tensor("x")?.0.clone();
    Ok(match t {
        Ty::Vector { n, .. } => Ty::Vector { dim: out, n },
        Ty::Tokens { len, grid, cls, n, .. } => Ty::Tokens {
            len,
            dim: out,
            grid,
            cls,
            n,
        },
        Ty::Slots { slots, .. } => Ty::Slots { slots, dim: out },
        _ => return Err(mismatch(call, "x", what, "vectors, tokens or slots")),
    })
}

pub(super) fn mlp_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    featurewise(call, net.int("out"), "the input of mlp")
}

pub(super) fn linear_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    featurewise(call, net.int("out"), "the input of fc")
}

pub(super) fn dino_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    featurewise(call, net.int("prototypes"), "the input of dino_head")
}

pub(super) fn transformer_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    let t = call.tensor("x")?.0.clone();
    let Ty::Tokens { dim, .. } = t else {
        return Err(mismatch(call, "x", "the input of transformer", "tokens"));
    };
    if dim % net.int("heads") != 0 {
        return Err(mismatch(
            call,
            "x",
            "the input of transformer",
            format!("a width divisible by heads = {}", net.int("heads")),
        ));
    }
    Ok(t)
}

pub(super) fn cross_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    let t = call.tensor("x")?.0.clone();
    let Ty::Tokens { dim, n, .. } = t else {
        return Err(mismatch(call, "x", "the queries of cross_transformer", "tokens"));
    };
    if dim % net.int("heads") != 0 {
        return Err(mismatch(
            call,
            "x",
            "the queries of cross_transformer",
            format!("a width divisible by heads = {}", net.int("heads")),
        ));
    }
    match call.tensor("context")?.0 {
        Ty::Tokens { dim: d, n: m, .. } if *d == dim && *m == n => Ok(t),
        Ty::Tokens { dim: d, .. } if *d != dim => Err(mismatch(
            call,
            "context",
            "the context of cross_transformer",
            format!("tokens as wide as the queries ({dim}; an `fc` maps them)"),
        )),
        Ty::Tokens { .. } => Err(mismatch(
            call,
            "context",
            "the context of cross_transformer",
            format!("tokens of as many views as the queries ({n})"),
        )),
        _ => Err(mismatch(call, "context", "the context of cross_transformer", "tokens")),
    }
}

pub(super) fn coord_call(net: &Args, call: &Args) -> Result<Ty, Diag> {
    if call.tensor("x")?.0 != &Ty::Geometry {
        return Err(mismatch(call, "x", "the input of coord_embed", "a crop geometry"));
    }
    let g = net.int("grid");
    Ok(Ty::Tokens {
        len: g * g,
        dim: net.int("dim"),
        grid: Some((g, g)),
        cls: false,
        n: 1,
    })
}

pub(super) fn fill_call(_net: &Args, call: &Args) -> Result<Ty, Diag> {
    let Ty::Tokens { len, dim, cls, n, .. } = call.tensor("x")?.0.clone() else {
        return Err(mismatch(call, "x", "the input of mask_fill", "tokens"));
    };
    let Ty::Mask { grid, keep, .. } = call.tensor("mask")?.0.clone() else {
        return Err(mismatch(call, "mask", "mask_fill", "a mask"));
    };
    mask_views(call, "mask", "mask_fill", n)?;
    let keep = exact_keep(call, "mask", "mask_fill", keep)?;
    if len != keep + u64::from(cls) {
        return Err(mismatch(
            call,
            "x",
            "mask_fill",
            format!("the {keep} visible tokens of the mask"),
        ));
    }
    Ok(Ty::Tokens {
        len: grid.0 * grid.1 + u64::from(cls),
        dim,
        grid: Some(grid),
        cls,
        n,
    })
}
