//! `mask_self(x, value: v, same: "image" | "row")`: dot products across the batch
//! (`[b·n, b·views]`, row (i, u) against column (k, l)) with the entries where k = i (every
//! view of the row's own image), or only (k, l) = (i, u), set to v.

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::ops::{MaskSelf, Same};
use sslc_compiler::types::Ty;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for MaskSelf {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let Ty::Across { n, views } = env.types.of(self.x)? else {
            return Err(RunError::Internal(
                "mask_self of values that are not dot products across the batch".into(),
            ));
        };
        let (n, views) = (*n as usize, *views as usize);
        let t = x.take(self.x)?.vectors()?;
        let [r, c] = t.dims();
        let own = |row: usize, col: usize| match self.same {
            Same::Image => row / n == col / views,
            Same::Row => row / n == col / views && row % n == col % views,
        };
        let flags: Vec<f32> = (0..r * c).map(|i| f32::from(u8::from(own(i / c, i % c)))).collect();
        let masked = Tensor::<2>::from_data(TensorData::new(flags, [r, c]), &t.device());
        let kept = masked.clone().neg().add_scalar(1.0);
        Ok(Val::Vectors(t * kept + masked.mul_scalar(self.value as f32)))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::check::{apply_typed, check_op, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    fn same_image(r: usize, c: usize) -> bool {
        r / 2 == c / 2
    }

    fn same_row(r: usize, c: usize) -> bool {
        r == c
    }

    #[test]
    fn mask_self_sets_the_rows_own_image_or_own_entry() {
        // 2 images × 2 views of rows against 2 images × 2 views of columns.
        let x = values(16, &mut Rng::new(53));
        let ty = Ty::Across { n: 2, views: 2 };
        for (same, own) in [("image", same_image as fn(usize, usize) -> bool), ("row", same_row)] {
            check_op(
                "mask_self",
                &x,
                [4, 4],
                |x| (0..16).map(|i| if own(i / 4, i % 4) { -7.0 } else { x[i] }).collect(),
                |t: Tensor<2>| {
                    let params = [("value", Param::Num(-7.0)), ("same", Param::Str(same.into()))];
                    flat_val(apply_typed(
                        "mask_self",
                        &params,
                        vec![("x", Val::Vectors(t), ty.clone())],
                        ty.clone(),
                        2,
                    ))
                },
            );
        }
    }
}
