//! The tensor algebra: elementwise math, reductions and softmax over a named axis, constants,
//! draws of the step and state for any value (its matrices are in `matrices`). Losses of new
//! methods are written with these, not added as built-ins.

use super::axes::reduced;
use super::declare;
use super::rules::mismatch;
use super::{Args, Builtin, Category, Out};
use crate::diag::Diag;
use crate::types::Ty;

/// The `x` argument, which must be a tensor of numbers.
pub(super) fn numbers<'a>(b: &'a Args, arg: &str) -> Result<&'a Ty, Diag> {
    let (t, _) = b.tensor(arg)?;
    if t.is_numeric() {
        Ok(t)
    } else {
        Err(mismatch(
            b,
            arg,
            b.builtin,
            "a tensor of numbers (images, tokens, vectors, matrices, scalars, labels, dot products \
             across the batch, or one of those for the batch)",
        ))
    }
}

/// Elementwise: the type of `x`.
fn elementwise(b: &Args) -> Result<Out, Diag> {
    numbers(b, "x").map(|t| Out::Tensor(t.clone()))
}

fn reduce(b: &Args) -> Result<Out, Diag> {
    let ty = numbers(b, "x")?;
    let over = b.str("over");
    reduced(ty, over)
        .map(Out::Tensor)
        .map_err(|expected| mismatch(b, "x", &format!("{}(over: \"{over}\")", b.builtin), expected))
}

/// A softmax keeps its input's type; the axis must be one the value has (all of an image is
/// not an axis).
fn softmax(b: &Args) -> Result<Out, Diag> {
    let ty = numbers(b, "x")?;
    let over = b.str("over");
    let what = format!("softmax(over: \"{over}\")");
    if over == "image" {
        return Err(mismatch(
            b,
            "x",
            &what,
            "an axis: `batch`, `views`, `tokens`, `features`, `rows` or `cols`",
        ));
    }
    reduced(ty, over).map_err(|expected| mismatch(b, "x", &what, expected))?;
    Ok(Out::Tensor(ty.clone()))
}

fn count(b: &Args) -> Result<Out, Diag> {
    let ty = numbers(b, "x")?;
    let over = b.str("over");
    reduced(ty, over).map_err(|expected| mismatch(b, "x", &format!("count(over: \"{over}\")"), expected))?;
    Ok(Out::Tensor(Ty::Batch(Box::new(Ty::Scalar { n: 1 }))))
}

fn normal(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Tensor(Ty::Batch(Box::new(Ty::Matrix {
        rows: b.int("rows"),
        cols: b.int("cols"),
        n: 1,
    }))))
}

fn linspace(b: &Args) -> Result<Out, Diag> {
    Ok(Out::Tensor(Ty::Batch(Box::new(Ty::Vector {
        dim: b.int("count"),
        n: 1,
    }))))
}

fn eye(b: &Args) -> Result<Out, Diag> {
    let size = b.int("size");
    Ok(Out::Tensor(Ty::Batch(Box::new(Ty::Matrix {
        rows: size,
        cols: size,
        n: 1,
    }))))
}

fn vector(b: &Args) -> Result<Out, Diag> {
    let dim = match b.get("values") {
        Some(crate::value::Value::List(items)) => items.len() as u64,
        _ => 0,
    };
    Ok(Out::Tensor(Ty::Batch(Box::new(Ty::Vector { dim, n: 1 }))))
}

/// `ema(x)` keeps a value of the batch from step to step.
fn ema(b: &Args) -> Result<Out, Diag> {
    let ty = numbers(b, "x")?;
    if !matches!(ty, Ty::Batch(_)) {
        return Err(mismatch(
            b,
            "x",
            "ema",
            "a value for the batch, which the next step's can be averaged with (a statistic: \
             `mean(x, over: \"batch\")`, `moment(z, z)`)",
        ));
    }
    Ok(Out::Tensor(ty.clone()))
}

/// An elementwise function of one argument.
macro_rules! unary {
    ($name:literal $Op:ident, $doc:literal, $example:literal) => {
        Builtin {
            name: $name,
            category: Category::Math,
            doc: $doc,
            params: declare::$Op,
            variadic: None,
            rule: elementwise,
            call: None,
            example: $example,
        }
    };
}

/// A reduction over an axis.
macro_rules! reduction {
    ($name:literal $Op:ident, $doc:literal, $example:literal) => {
        Builtin {
            name: $name,
            category: Category::Math,
            doc: $doc,
            params: declare::$Op,
            variadic: None,
            rule: reduce,
            call: None,
            example: $example,
        }
    };
}

pub static ALL: &[Builtin] = &[
    unary!("exp" Exp, "eˣ, elementwise.", "let w = exp(-t * t / 2)"),
    unary!(
        "log" Log,
        "The natural logarithm, elementwise (−∞ at 0: add an ε where a value may reach it).",
        "let h = log(p + 1e-8)"
    ),
    unary!("sqrt" Sqrt, "The square root, elementwise.", "let std = sqrt(var + 1e-4)"),
    unary!("abs" Abs, "|x|, elementwise.", "let l1 = mean(abs(a - b))"),
    unary!(
        "cos" Cos,
        "The cosine, elementwise (radians).",
        "let re = mean(cos(xt), over: \"batch\")"
    ),
    unary!(
        "sin" Sin,
        "The sine, elementwise (radians).",
        "let im = mean(sin(xt), over: \"batch\")"
    ),
    Builtin {
        name: "pow",
        category: Category::Math,
        doc: "xᵖ, elementwise (a fractional power of a negative number is NaN).",
        params: declare::Pow,
        variadic: None,
        rule: elementwise,
        call: None,
        example: "let sq = pow(a - b, 2)",
    },
    Builtin {
        name: "clamp",
        category: Category::Math,
        doc: "x limited to [`min`, `max`], elementwise; either end may be left open.",
        params: declare::Clamp,
        variadic: None,
        rule: elementwise,
        call: None,
        example: "let hinge = clamp(1 - std, min: 0)",
    },
    reduction!(
        "sum" Sum,
        "The sum over an axis (`over`); by default of all of each image's numbers, one scalar \
         per image (a value for the batch sums to one number).",
        "let on = sum((1 - diag(c)) * (1 - diag(c)), over: \"features\")"
    ),
    reduction!(
        "mean" Mean,
        "The mean over an axis (`over`); by default of all of each image's numbers, one scalar \
         per image. `over: \"batch\"` gives a value for the whole batch, which spreads back over \
         the images in arithmetic (`z - mean(z, over: \"batch\")` centres z).",
        "let centred = z - mean(z, over: \"batch\")"
    ),
    reduction!(
        "logsumexp" LogSumExp,
        "log Σ exp(x) over an axis, computed stably (the denominator of a softmax, in logs).",
        "let denominator = logsumexp(batch_dot(z1, z) / 0.1, over: \"cols\")"
    ),
    reduction!(
        "max" Max,
        "The largest value over an axis (the gradient goes to it).",
        "let nearest = max(mask_self(batch_dot(z, z), value: -2), over: \"cols\")"
    ),
    reduction!(
        "min" Min,
        "The smallest value over an axis (the gradient goes to it).",
        "let closest = min(d, over: \"cols\")"
    ),
    Builtin {
        name: "softmax",
        category: Category::Math,
        doc: "Softmax of `x / temperature` over an axis (the feature axis by default); the \
              value keeps its type. Over `batch` it weighs the images against each other.",
        params: declare::Softmax,
        variadic: None,
        rule: softmax,
        call: None,
        example: "let w = softmax(dot(z1, z2), temperature: 0.5, over: \"batch\")",
    },
    Builtin {
        name: "count",
        category: Category::Math,
        doc: "How many numbers an axis holds, as a value for the batch: `count(z, over: \
              \"batch\")` is the number of images in this step's batch.",
        params: declare::Count,
        variadic: None,
        rule: count,
        call: None,
        example: "let n = count(z, over: \"batch\")",
    },
    Builtin {
        name: "normal",
        category: Category::Math,
        doc: "A `rows` × `cols` matrix of standard normal draws for the batch, drawn anew at \
              every step (from the step's own generator: a run repeats exactly). Scaled to unit \
              columns it is a set of random directions (LeJEPA's SIGReg).",
        params: declare::Normal,
        variadic: None,
        rule: normal,
        call: None,
        example: "let a = normal(rows: 64, cols: 256)",
    },
    Builtin {
        name: "linspace",
        category: Category::Math,
        doc: "`count` evenly spaced numbers from `start` to `end`, both included: a constant \
              vector for the batch.",
        params: declare::Linspace,
        variadic: None,
        rule: linspace,
        call: None,
        example: "let t = linspace(0, 3, 17)",
    },
    Builtin {
        name: "eye",
        category: Category::Math,
        doc: "The `size` × `size` identity matrix, a constant for the batch.",
        params: declare::Eye,
        variadic: None,
        rule: eye,
        call: None,
        example: "let off = c * (1 - eye(64))",
    },
    Builtin {
        name: "vector",
        category: Category::Math,
        doc: "A constant vector for the batch, from a list of numbers.",
        params: declare::Vector,
        variadic: None,
        rule: vector,
        call: None,
        example: "let w = vector([0.5, 1, 1, 0.5])",
    },
];

/// Built-ins that share a name with a built-in of another kind and are meant when their first
/// argument is a run-time value: `ema(x)` of a value, beside `ema(branch)`.
pub static VALUE_FORMS: &[Builtin] = &[Builtin {
    name: "ema",
    category: Category::Math,
    doc: "Of a value for the batch (rather than a branch): m·s + (1 − m)·x, where s is what it \
          gave at the step before (0 at the first), kept across steps; gradient flows into this \
          step's x, scaled by 1 − m, never into s. A running statistic: TiCo's covariance \
          `ema(moment(z, z), momentum: 0.9)`. Bound by `let`, one state serves every use of \
          the name; checkpoints keep it.",
    params: declare::EmaOf,
    variadic: None,
    rule: ema,
    call: None,
    example: "let c = ema(moment(z, z), momentum: 0.9)",
}];
