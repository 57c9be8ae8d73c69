//! `pairwise_cosine(a, b)`: cos(aᵢ, bⱼ) between the views of each image. Vectors `[images·v, d]`,
//! `[images·w, d]` → matrix `[images, v, w]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::PairwiseCosine;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::val::Val;

impl Forward for PairwiseCosine {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let images = env.images;
        let per_image = |t: Tensor<2>| {
            let [rows, d] = t.dims();
            l2norm(t.reshape([images, rows / images.max(1), d]))
        };
        let (a, b) = (
            per_image(x.take(self.a)?.vectors()?),
            per_image(x.take(self.b)?.vectors()?),
        );
        Ok(Val::Matrix(a.matmul(b.swap_dims(1, 2))))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, data, flat_val, ref_l2norm, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn pairwise_cosine_compares_the_rows_of_each_image() {
        // 2 images, 3 rows each in `a`, 2 rows each in `b`, width 4.
        let (a, b) = (values(6 * 4, &mut Rng::new(6)), values(4 * 4, &mut Rng::new(7)));
        let reference = |a: &[f64]| {
            let (na, nb) = (ref_l2norm(a, 4), ref_l2norm(&b, 4));
            let mut out = vec![];
            for img in 0..2 {
                for i in 0..3 {
                    for j in 0..2 {
                        let (x, y) = (&na[(img * 3 + i) * 4..][..4], &nb[(img * 2 + j) * 4..][..4]);
                        out.push(x.iter().zip(y).map(|(u, v)| u * v).sum());
                    }
                }
            }
            out
        };
        let device = crate::device::default().autodiff();
        let tb = data(&b, [4, 4], &device);
        check_op("pairwise_cosine", &a, [6, 4], reference, |t| {
            flat_val(apply(
                "pairwise_cosine",
                &[],
                vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
                2,
            ))
        });
    }
}
