//! `as_matrix(x)`: n views of vectors `[d]` per image → one matrix `[n, d]` per image, the
//! views its rows.

use sslc_compiler::plan::ops::AsMatrix;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for AsMatrix {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let [b, n, _, d] = t.dims();
        value(&env, t.reshape([b, 1, n, d]))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};
    use sslc_compiler::types::Ty;

    use super::super::check::{apply_typed, flat_val};
    use crate::val::Val;

    #[test]
    fn the_views_of_an_image_become_the_rows_of_its_matrix() {
        let device = crate::device::default();
        let flat: Vec<f32> = (0..12).map(|v| v as f32).collect();
        let x = Val::Vectors(Tensor::from_data(TensorData::new(flat.clone(), [6, 2]), &device));
        let out = apply_typed(
            "as_matrix",
            &[],
            vec![("x", x, Ty::Vector { dim: 2, n: 3 })],
            Ty::Matrix { rows: 3, cols: 2, n: 1 },
            2,
        );
        let Val::Matrix(m) = out else { panic!("a matrix") };
        assert_eq!(m.dims(), [2, 3, 2]);
        assert_eq!(flat_val(Val::Matrix(m)).try_into_vec_as::<f32>().expect("values"), flat);
    }
}
