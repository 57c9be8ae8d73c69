//! `patchify(x, patch, normalize)`: images `[b, c, h, w]` cut into patches `[b, hw/p², p²c]`, each
//! standardised when `normalize` (MAE's target).

use sslc_compiler::plan::ops::Patchify;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Patchify {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let patches = crate::tensor::patchify(x.take(self.x)?.images()?, self.patch);
        Ok(Val::Tokens(if self.normalize {
            crate::tensor::layer_norm(patches)
        } else {
            patches
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, flat_val, ref_layer_norm, values};
    use crate::rng::Rng;
    use crate::val::Val;
    use sslc_compiler::value::Param;

    /// Patches of a [1, c, h, w] image, row-major over the grid, each `c·p·p` in (c, y, x) order.
    fn ref_patchify(x: &[f64], c: usize, h: usize, w: usize, p: usize) -> Vec<f64> {
        let mut out = vec![];
        for gy in 0..h / p {
            for gx in 0..w / p {
                for ch in 0..c {
                    for y in 0..p {
                        for xx in 0..p {
                            out.push(x[(ch * h + gy * p + y) * w + gx * p + xx]);
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn patchify_matches_its_formula_with_and_without_normalised_patches() {
        let (c, h, w, p) = (2, 4, 6, 2);
        let x = values(c * h * w, &mut Rng::new(3));
        for normalize in [false, true] {
            let reference = |x: &[f64]| {
                let patches = ref_patchify(x, c, h, w, p);
                if normalize {
                    ref_layer_norm(&patches, c * p * p)
                } else {
                    patches
                }
            };
            check_op("patchify", &x, [1, c, h, w], reference, |t| {
                let params = [("patch", Param::Num(p as f64)), ("normalize", Param::Bool(normalize))];
                flat_val(apply("patchify", &params, vec![("x", Val::Images(t))], 1))
            });
        }
    }
}
