//! `nearest(x, bank)`: each row of x replaced by the row of the memory with the highest cosine
//! similarity to it (NNCLR's support set). `[r, d]`, `[N, d]` → `[r, d]`, without gradient.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Nearest;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::{beside, l2norm};
use crate::val::Val;

impl Forward for Nearest {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let rows = x.take(self.x)?.vectors()?;
        let bank = x.take(self.bank)?.bank()?;
        Ok(Val::Vectors(nearest(rows, bank)))
    }
}

/// The row of `bank` nearest each row of `x` by cosine similarity, detached.
pub fn nearest(x: Tensor<2>, bank: Tensor<2>) -> Tensor<2> {
    let [rows, d] = x.dims();
    let bank = beside(bank, &x);
    let similarity = l2norm(x.detach()).matmul(l2norm(bank.clone()).transpose());
    let best = similarity.argmax(1).reshape([rows]);
    bank.select(0, best).reshape([rows, d])
}

#[cfg(test)]
mod tests {
    use super::super::check::data;

    #[test]
    fn each_row_becomes_its_most_similar_memory_row_whatever_the_lengths() {
        let device = crate::device::default();
        // The memory: along x, along y, and a long vector along −x.
        let bank = data(&[1.0, 0.0, 0.0, 1.0, -5.0, 0.1], [3, 2], &device);
        let x = data(&[0.2, 3.0, -1.0, 0.0, 4.0, 1.0], [3, 2], &device);
        let out: Vec<f32> = super::nearest(x, bank).try_into_vec_as().expect("values");
        assert_eq!(out, [0.0, 1.0, -5.0, 0.1, 1.0, 0.0]);
    }
}
