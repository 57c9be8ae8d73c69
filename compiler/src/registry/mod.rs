//! The built-ins of the language: their parameters, types, ranges, documentation and shape
//! rules. One file per category; `docs/language.md` is checked against this table.

mod algebra;
mod args;
mod axes;
mod bind;
mod branches;
mod contrastive;
mod declare;
mod docs;
mod losses;
mod masks;
mod matrices;
mod network_calls;
mod networks;
mod ops;
mod optim;
mod param;
mod schedules;
mod sources;
mod spec;
mod tokens;
mod transport;
mod views;

pub use args::Args;
pub use axes::{AXES, broadcast, reduced};
pub use bind::{ArgIn, bind};
pub use docs::reference;
pub use ops::{STOP_GRADIENT, couples_batch, detaches_input, keeps_state, marked_batch, stops_gradient};
pub use param::{Limit, MAX_INT, PTy, Param, opt, req};

use crate::diag::Diag;
use crate::types::Ty;
use crate::value::Value;

/// What a built-in makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Source,
    View,
    Mask,
    Network,
    Op,
    Math,
    Loss,
    Schedule,
    Optimizer,
    Branch,
    Job,
    Probe,
}

impl Category {
    /// The word used in messages ("unknown view op `x`").
    pub fn noun(self) -> &'static str {
        match self {
            Category::Source => "data source",
            Category::View => "view op",
            Category::Mask => "mask",
            Category::Network => "network",
            Category::Op => "op",
            Category::Math => "op",
            Category::Loss => "loss",
            Category::Schedule => "schedule",
            Category::Optimizer => "optimizer",
            Category::Branch => "branch kind",
            Category::Job => "job",
            Category::Probe => "probe",
        }
    }

    /// The heading under which `docs/language.md` lists the category.
    pub fn heading(self) -> &'static str {
        match self {
            Category::Source => "Data sources",
            Category::View => "Views",
            Category::Mask => "Masks",
            Category::Network => "Networks",
            Category::Op => "Ops",
            Category::Math => "Tensor algebra",
            Category::Loss => "Losses",
            Category::Schedule => "Schedules",
            Category::Optimizer => "Optimizers",
            Category::Branch => "Branches",
            Category::Job => "Jobs",
            Category::Probe => "Probes",
        }
    }

    pub const ALL: [Category; 12] = [
        Category::Source,
        Category::View,
        Category::Mask,
        Category::Network,
        Category::Op,
        Category::Math,
        Category::Loss,
        Category::Schedule,
        Category::Optimizer,
        Category::Branch,
        Category::Job,
        Category::Probe,
    ];
}

/// The input of most ops, `x`.
const X: Param = req("x", PTy::Tensor, "the input");

/// What a shape rule returns.
#[derive(Clone, Debug)]
pub enum Out {
    /// One tensor of this type.
    Tensor(Ty),
    /// Several tensors (destructured by `view a, b = ...`).
    Tensors(Vec<Ty>),
    /// A compile-time value (a schedule, a configuration).
    Value(Value),
}

/// A shape rule: checks bound arguments and gives the result type.
pub type Rule = fn(&Args) -> Result<Out, Diag>;

/// The shape rule of a network call: sees the network's arguments, then the call's.
pub type CallRule = fn(&Args, &Args) -> Result<Ty, Diag>;

/// A built-in.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub category: Category,
    pub doc: &'static str,
    pub params: &'static [Param],
    /// Extra positional arguments all of this type (the networks of `trainable(a, b, c)`).
    pub variadic: Option<PTy>,
    pub rule: Rule,
    /// For networks: the parameters of a call (`online.backbone(x, mask: m)`) and its rule,
    /// which also sees the network's own arguments.
    pub call: Option<(&'static [Param], CallRule)>,
    pub example: &'static str,
}

/// Every built-in, in documentation order.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    sources::ALL
        .iter()
        .chain(views::ALL)
        .chain(masks::ALL)
        .chain(networks::ALL)
        .chain(ops::ALL)
        .chain(tokens::ALL)
        .chain(transport::ALL)
        .chain(algebra::ALL)
        .chain(matrices::ALL)
        .chain(algebra::VALUE_FORMS)
        .chain(losses::ALL)
        .chain(contrastive::ALL)
        .chain(schedules::ALL)
        .chain(optim::ALL)
        .chain(branches::ALL)
}

/// The built-in with this name (of two that share it, not the value form).
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name && !is_value_form(b))
}

/// Is `b` a value form, which `lookup` passes over?
fn is_value_form(b: &Builtin) -> bool {
    algebra::VALUE_FORMS.iter().any(|v| std::ptr::eq(v, b))
}

/// The built-in a call of `name` means: the value form (`ema(x)` of a run-time value) where
/// its first argument is a run-time value and one exists, else the built-in of that name.
pub fn lookup_call(name: &str, first_is_value: bool) -> Option<&'static Builtin> {
    first_is_value
        .then(|| algebra::VALUE_FORMS.iter().find(|b| b.name == name))
        .flatten()
        .or_else(|| lookup(name))
}

/// Names of built-ins of some categories (for "did you mean").
pub fn names_in(cats: &[Category]) -> Vec<&'static str> {
    all().filter(|b| cats.contains(&b.category)).map(|b| b.name).collect()
}

/// Helpers shared by the shape rules.
pub(crate) mod rules {
    use super::args::Args;
    use crate::diag::Diag;
    use crate::types::Ty;

    /// A shape error at argument `arg`.
    pub fn mismatch(b: &Args, arg: &str, what: &str, expected: impl Into<String>) -> Diag {
        let (ty, span) = b.tensor_or_default(arg);
        Diag::ShapeMismatch {
            what: what.into(),
            expected: expected.into(),
            found: ty.map(|t| t.to_string()).unwrap_or_else(|| "nothing".into()),
            span,
            other: None,
            because: vec![],
        }
    }

    /// The number of tokens the mask at `arg` keeps, which must be the same for every image:
    /// dropping or selecting tokens gives every image as many.
    pub fn exact_keep(b: &Args, arg: &str, what: &str, keep: Option<u64>) -> Result<u64, Diag> {
        keep.ok_or_else(|| {
            mismatch(
                b,
                arg,
                what,
                "a mask that keeps as many tokens in every image (a ratio range or `p` below 1 \
                 varies the count: use it with `vit(mask_token: true)` or a loss's `mask:`)",
            )
        })
    }

    /// The mask at `arg` must serve the `views` views of the value it masks: one mask per image
    /// serves them all (each view the same pattern), `mask m[k]` draws one per view and needs
    /// `k` views.
    pub fn mask_views(b: &Args, arg: &str, what: &str, views: u64) -> Result<(), Diag> {
        let n = b.tensor(arg)?.0.count();
        if n == 1 || n == views {
            return Ok(());
        }
        let expected = if views == 1 {
            "one mask per image, for a value of one view".to_string()
        } else {
            format!("one mask per image, or one per view of the {views} views (`mask m[{views}]`)")
        };
        Err(mismatch(b, arg, what, expected))
    }

    /// Two tensors must have the same type.
    pub fn same(b: &Args, x: &str, y: &str, what: &str) -> Result<Ty, Diag> {
        let (tx, _) = b.tensor(x)?;
        let (ty, sy) = b.tensor(y)?;
        if tx == ty {
            Ok(tx.clone())
        } else {
            Err(Diag::ShapeMismatch {
                what: what.into(),
                expected: format!("{tx} (like `{x}`)"),
                found: ty.to_string(),
                span: sy,
                other: Some((b.span_of(x), format!("`{x}` is {tx}"))),
                because: vec![],
            })
        }
    }

    /// The argument must be an image.
    pub fn image(b: &Args, arg: &str, what: &str) -> Result<(u64, u64, u64, u64), Diag> {
        match b.tensor(arg)?.0 {
            Ty::Image { c, h, w, n } => Ok((*c, *h, *w, *n)),
            _ => Err(mismatch(b, arg, what, "an image")),
        }
    }

    /// The feature width of vectors, tokens or slots.
    pub fn features(b: &Args, arg: &str, what: &str) -> Result<u64, Diag> {
        b.tensor(arg)?
            .0
            .feature_dim()
            .ok_or_else(|| mismatch(b, arg, what, "vectors or tokens"))
    }
}

#[cfg(test)]
mod tests {
    use super::all;

    #[test]
    fn every_builtin_name_is_unique() {
        // A value form shares its name with one other built-in, which `lookup` finds.
        let mut names: Vec<&str> = all().filter(|b| !super::is_value_form(b)).map(|b| b.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "two built-ins share a name, so `lookup` would hide one");
    }
}
