//! `concat_tokens(a, b)`: the tokens of `b` after those of `a`, rows repeated to match. `[r, n,
//! d]`, `[r, m, d]` → `[r, n + m, d]`.

use burn::tensor::Tensor;
use sslc_compiler::plan::ops::ConcatTokens;

use super::{Env, Forward, Inputs};
use crate::error::RunError;
use crate::exec::tokens;
use crate::val::Val;

impl Forward for ConcatTokens {
    fn forward(&self, x: &mut Inputs, _env: Env) -> Result<Val, RunError> {
        let (a, b) = tokens::match_rows3(x.take(self.a)?.tokens()?, x.take(self.b)?.tokens()?);
        Ok(Val::Tokens(Tensor::cat(vec![a, b], 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{apply, check_op, data, flat_val, values};
    use crate::rng::Rng;
    use crate::val::Val;

    #[test]
    fn concat_tokens_puts_b_after_a() {
        let (a, b) = (values(2 * 2 * 3, &mut Rng::new(13)), values(2 * 3, &mut Rng::new(14)));
        let reference = |a: &[f64]| {
            (0..2)
                .flat_map(|i| {
                    a[i * 6..(i + 1) * 6]
                        .iter()
                        .chain(&b[i * 3..(i + 1) * 3])
                        .copied()
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let device = crate::device::default().autodiff();
        let tb = data(&b, [2, 1, 3], &device);
        check_op("concat_tokens", &a, [2, 2, 3], reference, |t| {
            flat_val(apply(
                "concat_tokens",
                &[],
                vec![("a", Val::Tokens(t)), ("b", Val::Tokens(tb.clone()))],
                2,
            ))
        });
    }
}
