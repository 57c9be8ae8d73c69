//! Schedules: numbers that change over training, usable for any numeric parameter.

use super::{Args, Builtin, Category, Out, PTy, opt, req};
use crate::diag::Diag;
use crate::value::{Schedule, Value};

fn epochs(b: &Args) -> Option<f64> {
    b.is_given("epochs").then(|| b.num("epochs"))
}

fn constant(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Schedule(Schedule::Constant {
        value: b.num("value"),
    })))
}

fn linear(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Schedule(Schedule::Linear {
        from: b.num("from"),
        to: b.num("to"),
        epochs: epochs(b),
    })))
}

fn cosine(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Value(Value::Schedule(Schedule::Cosine {
        from: b.num("from"),
        to: b.num("to"),
        epochs: epochs(b),
    })))
}

fn warmup(b: &Args) -> Result<Out, Diag> {
    let then = b.schedule("then").unwrap_or(Schedule::Constant { value: 0.0 });
    Ok(Out::Value(Value::Schedule(Schedule::Warmup {
        epochs: b.num("epochs"),
        start: b.num("from"),
        then: Box::new(then),
    })))
}

const SPAN: super::Param = opt(
    "epochs",
    PTy::Num,
    "none",
    "length in epochs; the whole run when absent",
);

pub static ALL: &[Builtin] = &[
    Builtin {
        name: "constant",
        category: Category::Schedule,
        doc: "The same value throughout (a plain number means the same).",
        params: &[req("value", PTy::Num, "the value")],
        variadic: None,
        rule: constant,
        call: None,
        example: "optimizer = adamw(lr: constant(1e-3))",
    },
    Builtin {
        name: "linear",
        category: Category::Schedule,
        doc: "Linear from `from` to `to` over `epochs`, then held.",
        params: &[
            req("from", PTy::Num, "start value"),
            req("to", PTy::Num, "end value"),
            SPAN,
        ],
        variadic: None,
        rule: linear,
        call: None,
        example: "loss dino = soft_ce(s, sg(t), teacher_temp: linear(0.04, 0.07, epochs: 3))",
    },
    Builtin {
        name: "cosine",
        category: Category::Schedule,
        doc: "Half-cosine from `from` to `to` over `epochs` (BYOL momentum, lr decay), then held.",
        params: &[
            req("from", PTy::Num, "start value"),
            req("to", PTy::Num, "end value"),
            SPAN,
        ],
        variadic: None,
        rule: cosine,
        call: None,
        example: "branch target = ema(online, momentum: cosine(0.99, 1.0))",
    },
    Builtin {
        name: "warmup",
        category: Category::Schedule,
        doc: "Linear warm-up from `from` to the first value of `then` over `epochs`, then `then` \
              over the remaining epochs.",
        params: &[
            req("epochs", PTy::Num, "warm-up length in epochs"),
            req("then", PTy::Sched, "the schedule after warm-up"),
            opt("from", PTy::Num, "0.0", "value at the start"),
        ],
        variadic: None,
        rule: warmup,
        call: None,
        example: "optimizer = adamw(lr: warmup(epochs: 1, then: cosine(1e-3, 1e-5)))",
    },
];
