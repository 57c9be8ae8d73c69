//! What `check` accepts, `run` runs. Recipes are built at random from the registry's own
//! built-ins (every network, op, loss, view op and mask, with random settings within their
//! documented ranges and random arguments from the values declared so far); each declaration
//! is kept only when the compiler accepts it, so the checker's shape and gradient rules decide
//! what is well-typed. Every recipe that compiles then takes a training step on tiny data and,
//! when it declares one, runs its probe: no panic, no internal error, a finite loss.
//!
//! `SSLC_RANDOM_RECIPES=N` sets how many recipes (default 40), `SSLC_RANDOM_SEED=S` the first
//! seed (default 1); a failure prints the recipe and its seed.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sslc_compiler::registry::{self, Builtin, Category, Limit, PTy, Param};
use sslc_runtime::rng::Rng;
use sslc_runtime::{RunError, Trainer};

/// Picking from a list with the runtime's own generator (a seed names a recipe for good).
trait Pick {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T;
}

impl Pick for Rng {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Text after the declarations: what every recipe ends with.
const TAIL: &str = "optimizer = adamw(lr: 1e-3)\n";

/// A recipe being built: its declarations so far and the names of the values they made.
struct Recipe {
    text: String,
    /// Every value: data fields, views, masks, `let`s.
    values: Vec<String>,
    views: Vec<String>,
    masks: Vec<String>,
    /// Values computed from a network's output (the ones a loss can train through).
    outputs: Vec<String>,
    nets: Vec<String>,
    made: usize,
}

impl Recipe {
    fn new() -> Recipe {
        Recipe {
            text: "data {\n  source = scenes(size: 16, count: 8, holdout: 8, objects: (1, 3))\n  batch = 4\n}\n".into(),
            values: ["image", "labels", "boxes", "segments"].map(String::from).to_vec(),
            views: vec!["image".into()],
            masks: vec![],
            outputs: vec![],
            nets: vec![],
            made: 0,
        }
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.made += 1;
        format!("{stem}{}", self.made)
    }

    /// An argument: mostly a network's output when there is one, else any value.
    fn arg(&self, rng: &mut Rng) -> String {
        if !self.outputs.is_empty() && rng.chance(0.6) {
            rng.pick(&self.outputs).clone()
        } else {
            rng.pick(&self.values).clone()
        }
    }

    /// Adds `line` if the compiler finds no error in it (errors elsewhere, such as the missing
    /// loss of a recipe still being built, do not count), or, for a loss term, none at all.
    fn try_add(&mut self, line: &str, train: &str) -> bool {
        let start = self.text.len();
        let candidate = format!("{}{line}\n{TAIL}{train}", self.text);
        let end = start + line.len();
        let compiled = sslc_compiler::compile(&candidate);
        let whole = line.starts_with("loss ");
        let bad = compiled.diags.iter().any(|d| {
            let s = d.primary_span();
            d.is_error() && (whole || (s.start >= start && s.start <= end))
        });
        if !bad {
            self.text.push_str(line);
            self.text.push('\n');
        }
        !bad
    }
}

/// A value for a constant parameter, within its documented range; `None` to leave it out
/// (its default), or when the generator has nothing to offer (networks, strings).
fn constant(p: &Param, rng: &mut Rng) -> Option<String> {
    if p.default.is_some() && rng.chance(0.5) {
        return None;
    }
    let number = |rng: &mut Rng, int: bool| -> f64 {
        let v = match p.limit {
            Some(Limit::Prob) => *rng.pick(&[0.0, 0.1, 0.5, 0.9, 1.0]),
            Some(Limit::Positive) => *rng.pick(&[0.05, 0.5, 1.0, 2.0]),
            Some(Limit::NonNeg) => *rng.pick(&[0.0, 1.0, 2.0]),
            Some(Limit::AtLeast1) => *rng.pick(&[1.0, 2.0, 3.0, 4.0]),
            Some(Limit::Between(lo, hi)) => {
                let at = *rng.pick(&[0.0, 0.25, 0.5, 1.0]);
                lo + at * (hi - lo).min(16.0)
            }
            Some(Limit::OneOf(values)) => *rng.pick(values),
            None => *rng.pick(&[0.0, 0.5, 1.0, 2.0]),
        };
        if int { v.round() } else { v }
    };
    match p.ty {
        PTy::Int => Some(format!("{}", number(rng, true))),
        PTy::Num | PTy::Sched => Some(format!("{}", number(rng, false))),
        PTy::Bool => Some(rng.pick(&["true", "false"]).to_string()),
        PTy::Pair | PTy::NumOrPair => {
            let (a, b) = (number(rng, false), number(rng, false));
            Some(format!("({}, {})", a.min(b), a.max(b)))
        }
        PTy::Choice(options) => Some(format!("\"{}\"", rng.pick(options))),
        PTy::Numbers => Some("[0.5, 1, 2]".into()),
        _ => p.default.map(String::from),
    }
}

/// `name(arguments)` for built-in `b`: tensors drawn from the recipe's values, the rest from
/// `constant`; `None` when a required parameter has nothing to draw from.
fn call(b: &Builtin, r: &Recipe, rng: &mut Rng) -> Option<String> {
    let mut args = vec![];
    if let Some(PTy::Tensor) = b.variadic {
        for _ in 0..1 + rng.below(3) {
            args.push(r.arg(rng));
        }
    }
    for p in b.params {
        let v = match p.ty {
            PTy::Tensor if p.name == "mask" && !r.masks.is_empty() => Some(rng.pick(&r.masks).clone()),
            PTy::Tensor if p.default.is_some() && rng.chance(0.5) => None,
            PTy::Tensor if b.category == Category::View => Some(rng.pick(&r.views).clone()),
            PTy::Tensor => Some(r.arg(rng)),
            // An image network takes the source's 3 channels.
            _ if p.name == "channels" => None,
            _ => constant(p, rng),
        };
        match v {
            Some(v) => args.push(format!("{}: {v}", p.name)),
            None if p.default.is_none() => return None,
            None => {}
        }
    }
    Some(format!("{}({})", b.name, args.join(", ")))
}

fn pick_builtin(rng: &mut Rng, builtins: &[&'static Builtin]) -> &'static Builtin {
    builtins[rng.below(builtins.len())]
}

fn of(category: Category) -> Vec<&'static Builtin> {
    registry::all().filter(|b| b.category == category).collect()
}

/// One random recipe; `None` when no loss term could be made.
fn build(seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed);
    let mut r = Recipe::new();
    let train = format!("train {{\n  epochs = 1\n  seed = {seed}\n}}\n");
    // Views: crops of the image, then image ops.
    let views = of(Category::View);
    for _ in 0..2 + rng.below(3) {
        let name = r.fresh("v");
        let mut tries = 0;
        while tries < 20 {
            tries += 1;
            let b = *rng.pick(&views);
            let Some(c) = call(b, &r, &mut rng) else { continue };
            let line = if b.name == "crop_pair" {
                let other = r.fresh("v");
                let line = format!("view {name}, {other} = {c}");
                if r.try_add(&line, &train) {
                    r.values.extend([other.clone(), name.clone()]);
                    r.views.extend([other, name.clone()]);
                    break;
                }
                continue;
            } else if b.name == "random_resized_crop" && rng.chance(0.3) {
                // Several crops from one definition: values with two views per image.
                format!("view {name}[2] = {c}")
            } else {
                format!("view {name} = {c}")
            };
            if r.try_add(&line, &train) {
                r.values.push(name.clone());
                r.views.push(name.clone());
                break;
            }
        }
    }
    // Masks.
    for _ in 0..rng.below(3) {
        let b = *rng.pick(&of(Category::Mask));
        let Some(c) = call(b, &r, &mut rng) else { continue };
        let name = r.fresh("m");
        // A mask per view now and then: it masks only values of two views.
        let count = if rng.chance(0.3) { "[2]" } else { "" };
        if r.try_add(&format!("mask {name}{count} = {c}"), &train) {
            r.masks.push(name.clone());
            r.values.push(name);
        }
    }
    // Networks, small, of every kind.
    let networks = of(Category::Network);
    for _ in 0..2 + rng.below(4) {
        let b = *rng.pick(&networks);
        for _ in 0..10 {
            let Some(c) = call(b, &r, &mut rng) else { break };
            let name = r.fresh("n");
            if r.try_add(&format!("network {name} = {c}"), &train) {
                r.nets.push(name);
                break;
            }
        }
    }
    if r.nets.is_empty() {
        return None;
    }
    let all = r.nets.join(", ");
    r.text.push_str(&format!("branch online = trainable({all})\n"));
    if rng.chance(0.6) {
        r.text.push_str("branch target = ema(online, momentum: 0.9)\n");
    }
    let branches: &[&str] = if r.text.contains("branch target") {
        &["online", "online", "target"]
    } else {
        &["online"]
    };
    // Values: network calls, ops, stop-gradients and arithmetic.
    let mut ops = of(Category::Op);
    ops.extend(of(Category::Math));
    for _ in 0..30 {
        let name = r.fresh("x");
        let expr = match rng.below(10) {
            0..=4 => {
                let net = rng.pick(&r.nets).clone();
                let x = if rng.chance(0.5) {
                    rng.pick(&r.views).clone()
                } else {
                    r.arg(&mut rng)
                };
                let mut args = vec![x];
                if !r.masks.is_empty() && rng.chance(0.3) {
                    args.push(format!("mask: {}", rng.pick(&r.masks)));
                }
                if rng.chance(0.15) {
                    args.push(format!("{}: 1", rng.pick(&["block", "average_last"])));
                }
                format!("{}.{net}({})", rng.pick(branches), args.join(", "))
            }
            5..=7 => match call(pick_builtin(&mut rng, &ops), &r, &mut rng) {
                Some(c) => c,
                None => continue,
            },
            8 => format!("sg({})", r.arg(&mut rng)),
            _ => {
                let (a, b) = (r.arg(&mut rng), r.arg(&mut rng));
                format!("{a} {} {b}", rng.pick(&["+", "-", "*"]))
            }
        };
        if r.try_add(&format!("let {name} = {expr}"), &train) {
            let from_net = expr.starts_with("online.") || r.outputs.iter().any(|o| expr.contains(o.as_str()));
            if from_net {
                r.outputs.push(name.clone());
            }
            r.values.push(name);
        }
    }
    // Loss terms.
    let losses = of(Category::Loss);
    let mut terms = 0;
    for _ in 0..40 {
        if terms == 3 || (terms > 0 && rng.chance(0.3)) {
            break;
        }
        // A built-in loss, or now and then the mean of any value (the algebra's losses).
        let c = if rng.chance(0.25) {
            format!("mean({})", r.arg(&mut rng))
        } else {
            let Some(c) = call(pick_builtin(&mut rng, &losses), &r, &mut rng) else {
                continue;
            };
            c
        };
        let name = r.fresh("l");
        if r.try_add(&format!("loss {name} = {c}"), &train) {
            terms += 1;
        }
    }
    if terms == 0 {
        return None;
    }
    r.text.push_str(TAIL);
    // A probe on a network of images or, half the time, on a value declared so far, when the
    // checker takes it.
    let probed = if rng.chance(0.5) {
        rng.pick(&r.values).clone()
    } else {
        format!("online.{}", rng.pick(&r.nets))
    };
    let probe = format!("  probe = knn({probed}, k: 2, images: 8)\n");
    let with_probe = format!("{}{}{probe}}}\n", r.text, &train[..train.len() - 2]);
    let compiled = sslc_compiler::compile(&with_probe);
    if !compiled.has_errors() {
        return Some(with_probe);
    }
    Some(format!("{}{train}", r.text))
}

/// Ops whose value leaves the reals for some inputs (a logarithm of a negative number, the
/// Cholesky factor of a matrix that is not positive definite, an exponential that overflows):
/// a recipe drawn with one may end a step with a loss that is not finite, which the run then
/// reports; it must still neither panic nor fail inside.
const PARTIAL: &[&str] = &[
    "log(",
    "sqrt(",
    "pow(",
    "exp(",
    "cholesky(",
    "inverse(",
    "sqrtm(",
    "inv_sqrtm(",
];

/// Trains one step of `src` and runs its probe; a description of what went wrong, if anything.
fn runs(src: &str) -> Result<(), String> {
    let partial = PARTIAL.iter().any(|op| src.contains(op));
    let compiled = sslc_compiler::compile(src);
    let plan = compiled.plan.ok_or("the recipe stopped compiling")?;
    let device = sslc_runtime::device::default();
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), RunError> {
        let mut t = Trainer::new(&plan, &device)?;
        let info = t.step()?;
        if !info.loss.is_finite() && !partial {
            return Err(RunError::Internal(format!("loss {}", info.loss)));
        }
        t.probe()?;
        Ok(())
    }));
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(RunError::NonFinite { .. })) if partial => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

#[test]
fn every_random_recipe_the_checker_accepts_takes_a_step() {
    let count: u64 = std::env::var("SSLC_RANDOM_RECIPES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let first: u64 = std::env::var("SSLC_RANDOM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let (mut ran, mut failures) = (0, vec![]);
    for seed in first..first + count {
        let Some(src) = build(seed) else { continue };
        ran += 1;
        if let Err(e) = runs(&src) {
            failures.push(format!("seed {seed}: {e}\n{src}"));
        }
    }
    eprintln!("{ran} of {count} seeds made a recipe; {} failed", failures.len());
    for f in &failures {
        eprintln!("{}", f.lines().next().unwrap_or_default());
    }
    assert!(
        failures.is_empty(),
        "{} failed; the first:\n{}",
        failures.len(),
        failures[0]
    );
    assert!(ran * 3 >= count, "only {ran} of {count} seeds made a recipe");
}
