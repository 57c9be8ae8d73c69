//! Attention on flex: its fused forward and the recomputing backward.

use burn::backend::Flex;
use burn::backend::tensor::FloatTensor;

use super::{Attend, recompute};
use crate::own::Own;

impl Own<Flex, 3> for Attend {
    type Saved = recompute::Saved<Flex>;

    fn forward(&self, [q, k, v]: [FloatTensor<Flex>; 3]) -> (FloatTensor<Flex>, Self::Saved) {
        recompute::forward::<Flex>(q, k, v)
    }

    fn infer(&self, [q, k, v]: [FloatTensor<Flex>; 3]) -> FloatTensor<Flex> {
        recompute::fused::<Flex>(q, k, v)
    }

    fn backward(self, saved: Self::Saved, grad: FloatTensor<Flex>) -> [FloatTensor<Flex>; 3] {
        recompute::backward::<Flex>(saved, grad)
    }
}
