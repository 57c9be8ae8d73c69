//! `mean_tokens(x)`: the mean over tokens. `[b, n, d]` → `[b, d]`.

use sslc_compiler::plan::ops::MeanTokens;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::val::Val;

impl Forward for MeanTokens {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let t = x.take(self.x)?.tokens()?;
        let [b, _, d] = t.dims();
        Ok(Val::Vectors(t.mean_dim(1).reshape([b, d])))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::check_tokens;

    #[test]
    fn mean_tokens_averages_every_token_of_each_image() {
        check_tokens("mean_tokens", &[], |x| {
            (0..2)
                .flat_map(|i| (0..3).map(move |c| (0..5).map(|t| x[(i * 5 + t) * 3 + c]).sum::<f64>() / 5.0))
                .collect()
        });
    }
}
