//! The plan's tensor ops and losses, one file each: the compiler's `tensor_ops!` list declares
//! the modules below and the dispatch over `TensorOp`, so an op without its file or its
//! `Forward` fails to compile. Losses return a `[1]` scalar already averaged over the batch.

use burn::tensor::{Device, Tensor};
use sslc_compiler::plan::ops::Axis;
use sslc_compiler::plan::{Input, Slot, TensorOp};
use sslc_compiler::types::Ty;

use super::shape::{from4, to4};
use super::state::OpState;
use super::tokens::grid_part;
use crate::error::RunError;
use crate::nets::Pass;
use crate::val::{Mask, Val};

/// Where training is when a step runs: schedules in op parameters are read here.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub epoch: f64,
    pub total: f64,
    /// The most the pass does with its networks: `Learn` trains those its gradient reaches
    /// (they keep BatchNorm's running statistics), `Batch` only measures, `Infer` evaluates
    /// (running statistics where kept: a probe).
    pub pass: Pass,
}

/// What an op sees besides its inputs.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub at: Ctx,
    /// Images in the batch (ops over views regroup rows per image).
    pub images: usize,
    /// The state this step keeps across steps (soft_ce's centre).
    pub state: Option<&'a OpState>,
    /// The types of the step's value and of every slot: the algebra's ops read their layouts.
    pub types: Types<'a>,
    /// Where values made from nothing go (constants, the step's draws).
    pub device: Option<&'a Device>,
    /// Where the op reports what it observes, with its step's index, when the trainer asks.
    pub observe: Option<(&'a super::observe::Observations, usize)>,
}

impl Env<'_> {
    /// A schedule's value now.
    pub fn at(&self, s: &sslc_compiler::value::Schedule) -> f32 {
        s.at(self.at.epoch, self.at.total) as f32
    }
}

impl<'a> Env<'a> {
    /// The device for a value made from nothing.
    pub fn device(&self) -> Result<&'a Device, RunError> {
        self.device
            .ok_or_else(|| RunError::Internal("a constant or a draw outside training".into()))
    }
}

/// The compiler's types of a step's value and of the slots it reads.
#[derive(Clone, Copy)]
pub struct Types<'a> {
    pub out: Option<&'a Ty>,
    /// Every slot's type, by slot.
    pub slots: &'a [Option<Ty>],
}

impl<'a> Types<'a> {
    /// The type of the value in `slot`.
    pub fn of(&self, slot: Slot) -> Result<&'a Ty, RunError> {
        self.slots
            .get(slot.0)
            .and_then(Option::as_ref)
            .ok_or_else(|| RunError::Internal(format!("slot ${} has no type", slot.0)))
    }

    /// The type of the step's value.
    pub fn out(&self) -> Result<&'a Ty, RunError> {
        self.out
            .ok_or_else(|| RunError::Internal("a step without a type".into()))
    }
}

/// Input `slot` in the algebra's four axes (`exec::shape`).
pub(crate) fn four(x: &mut Inputs, env: &Env, slot: Slot) -> Result<Tensor<4>, RunError> {
    to4(x.take(slot)?, env.types.of(slot)?)
}

/// A result in the algebra's four axes as the step's value.
pub(crate) fn value(env: &Env, t: Tensor<4>) -> Result<Val, RunError> {
    from4(t, env.types.out()?)
}

/// `t` with the axes `axis` names as one: the index of that axis of the four (all of an
/// image's numbers folded into the last).
pub(crate) fn along(t: Tensor<4>, axis: Axis) -> (Tensor<4>, usize) {
    if axis == Axis::Image {
        let [b, n, r, c] = t.dims();
        return (t.reshape([b, 1, 1, n * r * c]), 3);
    }
    (t, super::shape::dims(axis)[0])
}

/// Input `slot` reduced over `axis` by `f`, which reduces one axis of the four and keeps it
/// (of size 1).
pub(crate) fn reduce(
    x: &mut Inputs,
    env: &Env,
    slot: Slot,
    axis: Axis,
    f: impl FnOnce(Tensor<4>, usize) -> Tensor<4>,
) -> Result<Val, RunError> {
    let (t, d) = along(four(x, env, slot)?, axis);
    value(env, f(t, d))
}

/// Inputs `a` and `b` flattened in one order, a side of one view repeated over the other's
/// views (image by image): what an elementwise loss compares.
pub(crate) fn spread_pair(x: &mut Inputs, env: &Env, a: Slot, b: Slot) -> Result<(Tensor<1>, Tensor<1>), RunError> {
    let (ta, tb) = (env.types.of(a), env.types.of(b));
    let (va, vb) = (x.take(a)?, x.take(b)?);
    match (ta, tb) {
        (Ok(ta), Ok(tb)) if ta != tb => {
            let (a, b) = super::shape::meet(to4(va, ta)?, to4(vb, tb)?)?;
            Ok((a.flatten(0, 3), b.flatten(0, 3)))
        }
        _ => Ok((va.flat()?, vb.flat()?)),
    }
}

/// `f` of input `x`, elementwise: the value keeps its layout.
pub(crate) fn elementwise(
    x: &mut Inputs,
    env: &Env,
    slot: Slot,
    f: impl FnOnce(Tensor<4>) -> Tensor<4>,
) -> Result<Val, RunError> {
    let t = four(x, env, slot)?;
    value(env, f(t))
}

/// The values a step reads, by slot.
pub struct Inputs(Vec<(Slot, Val)>);

impl Inputs {
    pub fn new(values: Vec<(Slot, Val)>) -> Self {
        Inputs(values)
    }

    /// Takes the value of `slot`.
    pub fn take(&mut self, slot: Slot) -> Result<Val, RunError> {
        let i = self
            .0
            .iter()
            .position(|(s, _)| *s == slot)
            .ok_or_else(|| RunError::Internal(format!("slot ${} is not an input of this step", slot.0)))?;
        Ok(self.0.swap_remove(i).1)
    }
}

/// A step's inputs (given in the order of `ports`), those its op detaches (the plan's
/// `Input::detached`: a teacher's side) cut from the autodiff graph: the one place the runtime
/// acts on that mark.
pub(crate) fn detach_marked(inputs: Vec<Val>, ports: &[Input]) -> Vec<Val> {
    inputs
        .into_iter()
        .zip(ports)
        .map(|(v, input)| if input.detached { v.detach() } else { v })
        .collect()
}

/// An op's computation on a batch.
pub trait Forward {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError>;
}

/// Declares each op's module and dispatches the enum to them.
macro_rules! modules {
    ($Enum:ident, $doc:literal; $($(#[$flag:ident])* $name:literal $module:ident $Op:ident { $($field:ident : $ty:ty = $param:expr),* $(,)? }),* $(,)?) => {
        $(pub mod $module;)*

        impl Forward for TensorOp {
            fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
                match self {
                    $(TensorOp::$Op(op) => op.forward(x, env)),*
                }
            }
        }
    };
}

sslc_compiler::tensor_ops!(modules);

#[cfg(test)]
pub(crate) mod check;

/// Vectors and tokens as `[rows, dim]`.
pub(crate) fn rows(v: Val) -> Result<Tensor<2>, RunError> {
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

/// Two sides of a paired loss as `[rows, dim]` with their rows paired one to one: a side of
/// fewer views repeats each image's value over the other side's views first (a token block
/// as a whole, so token t of an image meets token t of each of its views).
pub(crate) fn paired_rows(a: Val, b: Val) -> Result<(Tensor<2>, Tensor<2>), RunError> {
    match (a, b) {
        (Val::Tokens(a), Val::Tokens(b)) => {
            let (a, b) = crate::exec::tokens::match_rows3(a, b);
            Ok((rows(Val::Tokens(a))?, rows(Val::Tokens(b))?))
        }
        (a, b) => Ok(crate::exec::tokens::match_rows2(rows(a)?, rows(b)?)),
    }
}

/// The mean of per-element errors `[b, n, d]` over the features of masked tokens only:
/// Σ e·m / (Σ m · d), with `masked` `[b, n]` 1 on masked tokens (at least one counted).
pub(crate) fn masked_mean(errors: Tensor<3>, masked: Tensor<2>) -> Tensor<1> {
    let width = errors.dims()[2] as f32;
    let per_token = errors.sum_dim(2).squeeze_dim::<2>(2);
    let count = masked.clone().sum().clamp_min(1.0);
    per_token.mul(masked).sum().div(count).div_scalar(width)
}

/// A token loss's reduction under a mask (iBOT's): `per_token` `[rows, tokens]` on the mask's
/// grid, each row's mean over the tokens the mask hides (0 where it hides none), then the mean
/// over rows. A mask drawn per image applies to every view of that image.
pub(crate) fn hidden_mean(per_token: Tensor<2>, mask: &Mask) -> Tensor<1> {
    let weights = mask.for_rows(per_token.dims()[0]).masked;
    let hidden = weights.clone().sum_dim(1).clamp_min(1.0);
    per_token.mul(weights).sum_dim(1).div(hidden).mean()
}

/// What a token loss with `mask:` reduces: `a − b` on the tokens of the mask's grid (a class
/// token left out), `[rows, tokens, d]`, and the mask.
pub(crate) fn masked_difference(x: &mut Inputs, a: Slot, b: Slot, mask: Slot) -> Result<(Tensor<3>, Mask), RunError> {
    let (a, b) = (x.take(a)?.tokens()?, x.take(b)?.tokens()?);
    let mask = x.take(mask)?.mask()?;
    let tokens = mask.masked.dims()[1];
    Ok((grid_part(a, tokens) - grid_part(b, tokens), mask))
}

#[cfg(test)]
mod pairing {
    use burn::tensor::{Tensor, TensorData};

    use crate::val::Val;

    /// Token t of image i on a one-view side meets token t of each view of image i.
    #[test]
    fn a_one_view_token_side_repeats_by_image_not_by_row() {
        let device = crate::device::default();
        // a: 2 images × 2 tokens, width 1, values 10·i + t; b: 2 images × 2 views × 2 tokens.
        let a = Tensor::<3>::from_data(TensorData::new(vec![0.0f32, 1.0, 10.0, 11.0], [2, 2, 1]), &device);
        let b_values: Vec<f32> = (0..2)
            .flat_map(|i| (0..2).flat_map(move |v| (0..2).map(move |t| (10 * i + t) as f32 + 0.1 * v as f32)))
            .collect();
        let b = Tensor::<3>::from_data(TensorData::new(b_values, [4, 2, 1]), &device);
        let (a, b) = super::paired_rows(Val::Tokens(a), Val::Tokens(b)).expect("paired");
        let (a, b): (Vec<f32>, Vec<f32>) = (a.try_into_vec_as::<f32>().unwrap(), b.try_into_vec_as::<f32>().unwrap());
        assert_eq!(a.len(), 8);
        for (x, y) in a.iter().zip(&b) {
            assert!((y - x).abs() < 0.2, "{x} paired with {y}");
        }
    }
}
