//! Tensor operations and losses of the plan, on batched values. Losses return a `[1]` scalar
//! already averaged over the batch.

use burn::tensor::Tensor;
use burn::tensor::activation::{relu, softmax};
use sslc_compiler::value::Param;

use super::losses;
use super::state::OpState;
use super::tokens;
use super::val::Val;
use crate::config;
use crate::error::RunError;

/// Ops and losses this runtime executes (view ops live in `views`).
pub const TENSOR_OPS: &[&str] = &[
    "cls",
    "patches",
    "mean_tokens",
    "l2norm",
    "sg",
    "neg_cosine",
    "cosine_distance",
    "mse",
    "info_nce",
    "mean_entropy",
    "patchify",
    "masked_l1",
    "bce",
    "select",
    "attend",
    "relu",
    "layer_norm",
    "concat_tokens",
    "last_tokens",
    "slice_tokens",
    "soft_ce",
    "unigrad",
    "concat_views",
    "mean_views",
    "pairwise_cosine",
    "dot",
    "sinkhorn",
    "sum",
    "mean",
    "segment_pool",
    "detcon",
    "asl",
    "barlow_twins",
    "vicreg",
    "masked_mse",
    "softmax",
    "maximum",
];

/// Where training is when a step runs: schedules in op parameters are read here.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub epoch: f64,
    pub total: f64,
}

/// Takes the input bound to parameter `name`.
pub(crate) fn take(inputs: &mut Vec<(String, Val)>, name: &str) -> Result<Val, RunError> {
    let i = inputs
        .iter()
        .position(|(p, _)| p == name)
        .ok_or_else(|| RunError::Internal(format!("missing input `{name}`")))?;
    Ok(inputs.swap_remove(i).1)
}

/// Applies `op` to its inputs.
pub fn apply(
    op: &str,
    params: &[(String, Param)],
    mut inputs: Vec<(String, Val)>,
    ctx: Ctx,
    state: Option<&OpState>,
    images: usize,
) -> Result<Val, RunError> {
    if op == "maximum" {
        return super::arith::arith('∨', None, false, inputs);
    }
    let cfg = config::of(op, params);
    let sched =
        |name: &str| -> Result<f32, RunError> { Ok(config::schedule(&cfg, name)?.at(ctx.epoch, ctx.total) as f32) };
    let mut x = |name: &str| take(&mut inputs, name);
    Ok(match op {
        "cls" => {
            let t = x("x")?.tokens()?;
            let [b, _, d] = t.dims();
            Val::Vectors(t.narrow(1, 0, 1).reshape([b, d]))
        }
        "patches" => {
            let t = x("x")?.tokens()?;
            let n = t.dims()[1];
            Val::Tokens(t.narrow(1, 1, n - 1))
        }
        "mean_tokens" => {
            let t = x("x")?.tokens()?;
            let [b, _, d] = t.dims();
            Val::Vectors(t.mean_dim(1).reshape([b, d]))
        }
        "l2norm" => match x("x")? {
            Val::Vectors(t) => Val::Vectors(l2norm(t)),
            Val::Tokens(t) => Val::Tokens(l2norm(t)),
            v => return Err(RunError::Internal(format!("l2norm of {}", v.kind()))),
        },
        "sg" => x("x")?.detach(),
        "neg_cosine" => {
            let (a, b) = tokens::match_rows2(rows(x("a")?)?, rows(x("b")?)?);
            Val::Scalar(losses::neg_cosine(a, b))
        }
        "cosine_distance" => {
            let (a, b) = tokens::match_rows2(rows(x("a")?)?, rows(x("b")?)?);
            Val::Scalar(losses::cosine_distance(a, b))
        }
        "mse" => Val::Scalar(losses::mse(flat(x("a")?)?, flat(x("b")?)?)),
        "info_nce" => Val::Scalar(losses::info_nce(
            x("a")?.vectors()?,
            x("b")?.vectors()?,
            sched("temperature")?,
        )),
        "patchify" => {
            let patches = crate::nets::Vit::patchify(x("x")?.images()?, config::int(&cfg, "patch")?);
            Val::Tokens(if config::flag(&cfg, "normalize")? {
                tokens::layer_norm(patches)
            } else {
                patches
            })
        }
        "masked_l1" => Val::Scalar(losses::masked_l1(
            x("pred")?.tokens()?,
            x("target")?.tokens()?,
            x("mask")?.mask()?.masked,
        )),
        "masked_mse" => Val::Scalar(losses::masked_mse(
            x("pred")?.tokens()?,
            x("target")?.tokens()?,
            x("mask")?.mask()?.masked,
        )),
        "softmax" => {
            let t = sched("temperature")?;
            match x("x")? {
                Val::Vectors(v) => Val::Vectors(softmax(v.div_scalar(t), 1)),
                Val::Tokens(v) => Val::Tokens(softmax(v.div_scalar(t), 2)),
                v => return Err(RunError::Internal(format!("softmax of {}", v.kind()))),
            }
        }
        "bce" => Val::Scalar(losses::bce(x("logits")?.vectors()?, x("labels")?.vectors()?)),
        "asl" => Val::Scalar(losses::asl(
            x("logits")?.vectors()?,
            x("labels")?.vectors()?,
            config::num(&cfg, "gamma_pos")? as f32,
            config::num(&cfg, "gamma_neg")? as f32,
            config::num(&cfg, "clip")? as f32,
        )),
        "barlow_twins" => {
            let (a, b) = tokens::match_rows2(rows(x("a")?)?, rows(x("b")?)?);
            Val::Scalar(losses::barlow_twins(a, b, config::num(&cfg, "lambda")? as f32))
        }
        "vicreg" => {
            let (a, b) = tokens::match_rows2(rows(x("a")?)?, rows(x("b")?)?);
            let w = |k: &str| config::num(&cfg, k).map(|v| v as f32);
            Val::Scalar(losses::vicreg(a, b, w("sim")?, w("var")?, w("cov")?))
        }
        "select" => {
            let t = x("x")?.tokens()?;
            Val::Tokens(tokens::select(t, &x("mask")?.mask()?))
        }
        "attend" => Val::Tokens(tokens::attend(
            x("q")?.tokens()?,
            x("k")?.tokens()?,
            config::num(&cfg, "beta")? as f32,
        )),
        "relu" => x("x")?.map(relu, relu, relu, relu),
        "layer_norm" => Val::Tokens(tokens::layer_norm(x("x")?.tokens()?)),
        "concat_tokens" => {
            let (a, b) = tokens::match_rows3(x("a")?.tokens()?, x("b")?.tokens()?);
            Val::Tokens(Tensor::cat(vec![a, b], 1))
        }
        "last_tokens" => {
            let t = x("x")?.tokens()?;
            let (n, len) = (t.dims()[1], config::int(&cfg, "len")?);
            Val::Tokens(t.narrow(1, n - len, len))
        }
        "slice_tokens" => {
            let t = x("x")?.tokens()?;
            Val::Tokens(t.narrow(1, config::int(&cfg, "start")?, config::int(&cfg, "len")?))
        }
        "soft_ce" => {
            let (a, b) = tokens::match_rows2(rows(x("a")?)?, rows(x("b")?)?);
            let center = config::num(&cfg, "center")?;
            let b = match (center > 0.0, state) {
                (true, Some(state)) => state.center(b, center as f32),
                _ => b,
            };
            Val::Scalar(losses::soft_ce(a, b, sched("student_temp")?, sched("teacher_temp")?))
        }
        "concat_views" => {
            let t = x("x")?.vectors()?;
            let [rows, d] = t.dims();
            Val::Vectors(t.reshape([images, rows / images.max(1) * d]))
        }
        "mean_views" => match x("x")? {
            Val::Vectors(t) => {
                let [rows, d] = t.dims();
                Val::Vectors(
                    t.reshape([images, rows / images.max(1), d])
                        .mean_dim(1)
                        .reshape([images, d]),
                )
            }
            Val::Tokens(t) => {
                let [rows, n, d] = t.dims();
                Val::Tokens(
                    t.reshape([images, rows / images.max(1), n * d])
                        .mean_dim(1)
                        .reshape([images, n, d]),
                )
            }
            v => return Err(RunError::Internal(format!("mean_views of {}", v.kind()))),
        },
        "pairwise_cosine" => {
            let per_image = |t: Tensor<2>| {
                let [rows, d] = t.dims();
                l2norm(t.reshape([images, rows / images.max(1), d]))
            };
            let (a, b) = (per_image(x("a")?.vectors()?), per_image(x("b")?.vectors()?));
            Val::Matrix(a.matmul(b.swap_dims(1, 2)))
        }
        "dot" => {
            let (a, b) = tokens::match_rows2(x("a")?.vectors()?, x("b")?.vectors()?);
            Val::Scalar(a.mul(b).sum_dim(1).flatten(0, 1))
        }
        "sinkhorn" => Val::Matrix(super::transport::sinkhorn(
            x("cost")?.matrix()?,
            x("rows")?.scalar()?,
            x("cols")?.scalar()?,
            config::num(&cfg, "eps")? as f32,
            config::int(&cfg, "iters")?,
        )),
        "sum" | "mean" => {
            let v = x("x")?;
            let per_image = |t: Tensor<1>| {
                let n = t.dims()[0];
                let per = t.reshape([images, n / images.max(1)]);
                if op == "sum" { per.sum_dim(1) } else { per.mean_dim(1) }.flatten(0, 1)
            };
            Val::Scalar(per_image(flat(v)?))
        }
        "segment_pool" => {
            let t = x("x")?.tokens()?;
            let Val::Segments(maps) = x("segments")? else {
                return Err(RunError::Internal("segment_pool without segment maps".into()));
            };
            let (grid, g) = tokens::grid(t);
            let slots = config::int(&cfg, "slots")?;
            let (weights, ids) = super::segments::pooling(&maps, g, slots, &grid.device());
            let owners: Vec<(usize, i64)> = ids.iter().enumerate().map(|(k, id)| (k / slots, *id)).collect();
            Val::Slots(weights.matmul(grid), std::sync::Arc::new(owners))
        }
        "detcon" => {
            let slot = |v: Val| match v {
                Val::Slots(t, owners) => {
                    let [r, s, d] = t.dims();
                    Ok((t.reshape([r * s, d]), owners))
                }
                v => Err(RunError::Internal(format!("detcon of {}", v.kind()))),
            };
            let (pa, oa) = slot(x("pred_a")?)?;
            let (pb, ob) = slot(x("pred_b")?)?;
            let (ta, _) = slot(x("proj_a")?)?;
            let (tb, _) = slot(x("proj_b")?)?;
            Val::Scalar(losses::detcon(pa, pb, ta, tb, &oa, &ob, sched("temperature")?))
        }
        "unigrad" => {
            let (a, b) = tokens::match_rows2(rows(x("a")?)?, rows(x("b")?)?);
            Val::Scalar(losses::unigrad(a, b, config::num(&cfg, "lambda")? as f32))
        }
        "mean_entropy" => Val::Scalar(losses::mean_entropy(rows(x("x")?)?, sched("temperature")?)),
        other => return Err(RunError::Internal(format!("op `{other}` is not executable"))),
    })
}

/// Unit-length rows (the last axis), with the usual ε guard.
pub fn l2norm<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let norm = t.clone().powf_scalar(2.0).sum_dim(D - 1).sqrt().clamp_min(1e-12);
    t / norm
}

/// Vectors and tokens as `[rows, dim]`.
fn rows(v: Val) -> Result<Tensor<2>, RunError> {
    match v {
        Val::Vectors(t) => Ok(t),
        Val::Tokens(t) => {
            let [b, n, d] = t.dims();
            Ok(t.reshape([b * n, d]))
        }
        v => Err(RunError::Internal(format!(
            "expected vectors or tokens, found {}",
            v.kind()
        ))),
    }
}

/// Any value flattened to one axis.
fn flat(v: Val) -> Result<Tensor<1>, RunError> {
    Ok(match v {
        Val::Images(t) => t.flatten(0, 3),
        Val::Tokens(t) => t.flatten(0, 2),
        Val::Vectors(t) => t.flatten(0, 1),
        Val::Scalar(t) => t,
        Val::Matrix(t) => t.flatten(0, 2),
        Val::Mask(m) => m.masked.flatten(0, 1),
        Val::Segments(_) => return Err(RunError::Internal("segment maps have no tensor".into())),
        Val::Slots(t, _) => t.flatten(0, 2),
    })
}
