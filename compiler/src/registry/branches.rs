//! Branch kinds: a branch holds weights for some networks and says how they learn.

use super::{Args, Builtin, Category, Limit, Out, PTy, opt, req};
use crate::diag::Diag;
use crate::value::Value;

fn config(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Config(b.config())))
}

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "trainable",
        category: Category::Branch,
        doc: "Weights for the listed networks, trained by the optimiser.",
        params: &[],
        variadic: Some(PTy::Network),
        rule: config,
        call: None,
        example: "branch online = trainable(backbone, projector, predictor)",
    },
    Builtin {
        name: "ema",
        category: Category::Branch,
        doc: "An exponential moving average of another branch: after each step ξ ← m·ξ + (1−m)·θ \
              with m from `momentum` (a schedule over steps). `nets` picks the networks copied \
              (all of the source's by default). Starts equal to the source.",
        params: &[
            req("source", PTy::Branch, "the branch to follow"),
            req("momentum", PTy::Sched, "m in ξ ← m·ξ + (1−m)·θ").within(Limit::Prob),
            opt("nets", PTy::Networks, "[]", "networks copied; all when empty"),
        ],
        variadic: None,
        rule: config,
        call: None,
        example: "branch target = ema(online, momentum: cosine(0.99, 1.0), nets: [backbone, projector])",
    },
    Builtin {
        name: "frozen",
        category: Category::Branch,
        doc: "Weights for the listed networks that never change (initialised like `trainable`).",
        params: &[],
        variadic: Some(PTy::Network),
        rule: config,
        call: None,
        example: "branch teacher = frozen(backbone)",
    },
];
