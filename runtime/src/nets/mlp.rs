//! Multi-layer perceptron over vectors or tokens: linear layers with optional BatchNorm and an
//! activation between them (the BYOL projector and predictor), and optionally BatchNorm after
//! the last layer, affine or plain (SimSiam, MoCo v3, SimCLR v2 projectors).

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::activation::{gelu, relu};
use burn::tensor::{Device, Tensor};

use sslc_compiler::plan::nets::OutBn;

use super::batchnorm::{self, BatchNorm};
use super::init::{linear, widths};

/// Settings read from the recipe.
#[derive(Clone, Debug)]
pub struct MlpSpec {
    pub input: usize,
    pub hidden: usize,
    pub out: usize,
    pub layers: usize,
    pub bn: bool,
    pub gelu: bool,
    pub out_bn: OutBn,
}

#[derive(Module, Debug)]
pub struct Mlp {
    linears: Vec<Linear>,
    norms: Vec<BatchNorm>,
    /// BatchNorm with learned scale and shift after the last layer.
    out_norm: Option<BatchNorm>,
    /// Normalisation without parameters after the last layer.
    out_plain: bool,
    gelu: bool,
}

impl Mlp {
    pub fn new(spec: &MlpSpec, device: &Device) -> Self {
        let n = spec.layers.max(1);
        let widths = widths(spec.input, spec.hidden, spec.out, spec.layers);
        Mlp {
            linears: (0..n).map(|i| linear(widths[i], widths[i + 1], device)).collect(),
            norms: if spec.bn {
                (1..n).map(|i| BatchNorm::new(widths[i], device)).collect()
            } else {
                vec![]
            },
            out_norm: (spec.out_bn == OutBn::Affine).then(|| BatchNorm::new(spec.out, device)),
            out_plain: spec.out_bn == OutBn::Plain,
            gelu: spec.gelu,
        }
    }

    /// `x`: `[rows, width]`; tokens are flattened to rows by the caller.
    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.linears.len() - 1;
        for (i, layer) in self.linears.iter().enumerate() {
            x = crate::precision::linear(layer, x);
            if i < last {
                if let Some(norm) = self.norms.get(i) {
                    x = norm.forward(x);
                }
                x = if self.gelu { gelu(x) } else { relu(x) };
            }
        }
        match &self.out_norm {
            Some(norm) => norm.forward(x),
            None if self.out_plain => batchnorm::normalise(x),
            None => x,
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::module::Module;
    use burn::tensor::{Distribution, Tensor};
    use sslc_compiler::plan::nets::OutBn;

    use super::{Mlp, MlpSpec};

    fn mlp(out_bn: OutBn) -> Mlp {
        let spec = MlpSpec {
            input: 6,
            hidden: 12,
            out: 4,
            layers: 2,
            bn: true,
            gelu: false,
            out_bn,
        };
        Mlp::new(&spec, &crate::device::default())
    }

    /// Each output column's mean and variance over a batch of 32 rows.
    fn column_moments(m: &Mlp) -> Vec<(f32, f32)> {
        let x = Tensor::<2>::random([32, 6], Distribution::Normal(1.0, 3.0), &crate::device::default());
        let y: Vec<f32> = m.forward(x).try_into_vec_as().expect("values");
        (0..4)
            .map(|c| {
                let col: Vec<f32> = (0..32).map(|r| y[r * 4 + c]).collect();
                let mean = col.iter().sum::<f32>() / 32.0;
                (mean, col.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 32.0)
            })
            .collect()
    }

    #[test]
    fn an_output_batch_norm_normalises_each_output_column_over_the_batch() {
        for kind in [OutBn::Plain, OutBn::Affine] {
            for (mean, var) in column_moments(&mlp(kind)) {
                assert!(mean.abs() < 1e-4 && (var - 1.0).abs() < 1e-3, "{kind:?}: {mean} {var}");
            }
        }
        let raw = column_moments(&mlp(OutBn::None));
        assert!(
            raw.iter().any(|(m, v)| m.abs() > 1e-3 || (v - 1.0).abs() > 1e-2),
            "{raw:?}"
        );
    }

    #[test]
    fn only_the_affine_output_norm_has_parameters() {
        let (none, plain, affine) = (mlp(OutBn::None), mlp(OutBn::Plain), mlp(OutBn::Affine));
        assert_eq!(plain.num_params(), none.num_params());
        assert_eq!(
            affine.num_params(),
            none.num_params() + 2 * 4,
            "a scale and a shift per output"
        );
    }
}
