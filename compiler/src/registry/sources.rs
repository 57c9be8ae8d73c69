//! Data sources: where images (and their boxes, masks and labels) come from.

use super::{Args, Builtin, Category, Limit, Out, PTy, opt};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

pub static ALL: &[Builtin] = &[Builtin {
    name: "scenes",
    category: Category::Source,
    doc: "Procedural multi-object scenes generated on the fly: several object classes with \
          distinct shapes, colours and textures on textured backgrounds (`colours: \"random\"` \
          draws each object's hue at random, so a class shows only in shape and texture: a \
          harder test of what views teach). Gives `image` \
          (3×size×size), `boxes` (every object's box), `segments` (an instance map), `labels` \
          (multi-hot classes present) and a single label (largest object) for probing. \
          Deterministic for a seed; nothing is downloaded.",
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
}];
