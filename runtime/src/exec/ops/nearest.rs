//! `nearest(x, bank)`: each row of x replaced by the row of the memory with the highest cosine
//! similarity to it (NNCLR's support set). `[r, d]`, `[N, d]` → `[r, d]`, without gradient. With
//! vectors of the batch instead of a memory (`[b·v, d]`), each row's nearest among the rows of
//! the other images.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::Nearest;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::{beside, l2norm};
use crate::val::Val;

impl Forward for Nearest {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let rows = x.take(self.x)?.vectors()?;
        Ok(Val::Vectors(match x.take(self.bank)? {
            Val::Bank(bank) => nearest(rows, bank, None),
            support => nearest(rows, support.vectors()?, Some(env.images)),
        }))
    }
}

/// The row of `bank` nearest each row of `x` by cosine similarity, detached. When `bank` is
/// the batch's rows (`Some(images)`, both sides image-major), a row's own image is left out.
pub fn nearest(x: Tensor<2>, bank: Tensor<2>, images: Option<usize>) -> Tensor<2> {
    let [rows, d] = x.dims();
    let bank = beside(bank, &x).detach();
    let mut similarity = l2norm(x.detach()).matmul(l2norm(bank.clone()).transpose());
    if let Some(images) = images {
        let [cols, _] = bank.dims();
        let (per_row, per_col) = (rows / images.max(1), cols / images.max(1));
        let own: Vec<f32> = (0..rows * cols)
            .map(|i| {
                if (i / cols) / per_row.max(1) == (i % cols) / per_col.max(1) {
                    4.0
                } else {
                    0.0
                }
            })
            .collect();
        let own = Tensor::<2>::from_data(burn::tensor::TensorData::new(own, [rows, cols]), &similarity.device());
        // Cosines lie in [−1, 1]: less 4 puts a row's own image below every other.
        similarity = similarity - own;
    }
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
        let out: Vec<f32> = super::nearest(x, bank, None).try_into_vec_as().expect("values");
        assert_eq!(out, [0.0, 1.0, -5.0, 0.1, 1.0, 0.0]);
    }

    #[test]
    fn in_the_batch_a_row_never_finds_its_own_image() {
        let device = crate::device::default();
        // Three images: the first two alike, the third apart; each row's own copy is nearest
        // of all, and is left out.
        let z = data(&[1.0, 0.1, 1.0, 0.0, -1.0, 0.2], [3, 2], &device);
        let out: Vec<f32> = super::nearest(z.clone(), z, Some(3)).try_into_vec_as().expect("values");
        assert_eq!(out, [1.0, 0.0, 1.0, 0.1, 1.0, 0.1]);
    }
}
