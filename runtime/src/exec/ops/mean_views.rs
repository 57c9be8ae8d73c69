//! `mean_views(x)`: the mean over the views of each image. `[images·v, d]` → `[images, d]`; tokens
//! `[images·v, n, d]` → `[images, n, d]`.

use sslc_compiler::plan::ops::MeanViews;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for MeanViews {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let images = env.images;
        Ok(match x.take(self.x)? {
            Val::Vectors(t) => {
                let [rows, d] = t.dims();
                Val::Vectors(
                    t.reshape([images, rows / images.max(1), d])
                        .mean_dim(1)
                        .reshape([images, d]),
                )
            }
            Val::Tokens(t) => {
                let [rows, n, d] = t.dims();
                Val::Tokens(
                    t.reshape([images, rows / images.max(1), n * d])
                        .mean_dim(1)
                        .reshape([images, n, d]),
                )
            }
            v => return Err(RunError::Internal(format!("mean_views of {}", v.kind()))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_views;

    #[test]
    fn mean_views_averages_the_views_of_each_image() {
        check_views("mean_views", |x| {
            (0..2)
                .flat_map(|i| (0..2).map(move |c| (0..3).map(|v| x[(i * 3 + v) * 2 + c]).sum::<f64>() / 3.0))
                .collect()
        });
    }
}
