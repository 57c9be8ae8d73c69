//! LayerNorm on flex: its fused (SIMD) forward, and the one-pass backward of [`rows`] on the
//! tensors' memory (flex has no LayerNorm backward; composed from its element-wise kernels the
//! backward reads and writes each `[.., d]` tensor about fifteen times).

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::tensor::{DType, TensorData};

use super::{Normalise, formula, rows};
use crate::own::Own;

impl Own<Flex, 3> for Normalise {
    /// x and γ.
    type Saved = (FlexTensor, FlexTensor);

    fn forward(&self, [x, gamma, beta]: [FlexTensor; 3]) -> (FlexTensor, Self::Saved) {
        let out = formula::fused::<Flex>(x.clone(), gamma.clone(), beta, self.eps);
        (out, (x, gamma))
    }

    fn infer(&self, [x, gamma, beta]: [FlexTensor; 3]) -> FlexTensor {
        formula::fused::<Flex>(x, gamma, beta, self.eps)
    }

    fn backward(self, (x, gamma): Self::Saved, dy: FloatTensor<Flex>) -> [FlexTensor; 3] {
        if [&x, &gamma, &dy].iter().any(|t| t.dtype() != DType::F32) {
            let stats = formula::stats::<Flex>(x.clone(), self.eps);
            return formula::backward::<Flex>(x, gamma, stats, dy);
        }
        let shape = x.layout().shape().clone();
        let (x, gamma, dy) = (x.to_contiguous(), gamma.to_contiguous(), dy.to_contiguous());
        let mut dx = vec![0.0; shape.num_elements()];
        let (dgamma, dbeta) = rows::backward(slice(&x), slice(&dy), slice(&gamma), self.eps as f32, &mut dx);
        let d = dgamma.len();
        [
            FlexTensor::from_data(TensorData::new(dx, shape)),
            FlexTensor::from_data(TensorData::new(dgamma, [d])),
            FlexTensor::from_data(TensorData::new(dbeta, [d])),
        ]
    }
}

fn slice(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>().expect("a contiguous f32 tensor")
}
