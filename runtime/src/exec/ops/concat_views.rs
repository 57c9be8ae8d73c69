//! `concat_views(x)`: the views of each image side by side. Vectors `[images·v, d]` → `[images,
//! v·d]`.

use sslc_compiler::plan::ops::ConcatViews;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for ConcatViews {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.vectors()?;
        let [rows, d] = t.dims();
        Ok(Val::Vectors(t.reshape([env.images, rows / env.images.max(1) * d])))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_views;

    #[test]
    fn concat_views_lays_the_views_of_an_image_side_by_side() {
        check_views("concat_views", |x| x.to_vec());
    }
}
