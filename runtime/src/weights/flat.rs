//! A network's parameters as flat buffers and back: collected in visiting order, placed back
//! from one buffer as views, mixed with another network's, and read out for checkpoints.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::Tensor;

use crate::error::RunError;
use crate::nets::Net;
use crate::tensor::{as_vector, remake, shaped};

/// Collects a module's float parameters, flattened and detached, with their shapes, in
/// visiting order.
#[derive(Default)]
pub(super) struct Collect(pub Vec<Tensor<1>>, pub Vec<Vec<usize>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val().inner();
        self.1.push(t.dims().to_vec());
        self.0.push(as_vector(t));
    }
}

/// Gives each parameter, in visiting order, its values from the next stretch of one flat buffer
/// (a view of it, in the parameter's shape); with `leaf`, as a fresh leaf of the autodiff graph
/// (a trainable network's), else on the plain device (an EMA copy's).
pub(crate) struct Place {
    pub flat: Tensor<1>,
    pub at: usize,
    pub leaf: bool,
}

impl ModuleMapper for Place {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (flat, at, leaf) = (&self.flat, &mut self.at, self.leaf);
        remake(param, |t| {
            let dims = t.dims();
            let n = dims.iter().product::<usize>();
            let values = shaped(flat.clone().slice(*at..*at + n), dims);
            *at += n;
            if leaf { values.autodiff() } else { values }
        })
    }
}

/// Mixes each parameter with the source's parameter at the same position.
pub(super) struct Mix {
    pub source: std::vec::IntoIter<Tensor<1>>,
    pub m: f64,
}

impl ModuleMapper for Mix {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(src) = self.source.next() else {
            return param;
        };
        let m = self.m as f32;
        param.map(|t| {
            let dims = t.dims();
            t.mul_scalar(m).add(shaped(src, dims).mul_scalar(1.0 - m))
        })
    }
}

/// A network's float parameters, flattened in visiting order (for tests).
pub fn flat_params(net: &Net) -> Vec<f32> {
    shaped_params(net).map(|(_, values)| values).unwrap_or_default()
}

/// A network's parameter shapes, in visiting order.
pub fn param_shapes(net: &Net) -> Vec<Vec<usize>> {
    let mut collect = Collect::default();
    net.visit(&mut collect);
    collect.1
}

/// A network's parameter shapes and its float parameters flattened, in visiting order (for
/// checkpoints).
pub fn shaped_params(net: &Net) -> Result<(Vec<Vec<usize>>, Vec<f32>), RunError> {
    let mut collect = Collect::default();
    net.visit(&mut collect);
    let mut values = vec![];
    for t in collect.0 {
        values.extend(
            t.try_into_vec_as::<f32>()
                .map_err(|e| RunError::Internal(format!("reading parameters: {e:?}")))?,
        );
    }
    Ok((collect.1, values))
}
