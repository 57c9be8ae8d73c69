//! `center(x, momentum: m)`: x less a centre kept across steps (DINO's teacher centring):
//! returns x − c, then c ← m·c + (1 − m)·mean of every row of x (views and tokens alike),
//! detached. The centre is the step's state, so every reader of the name sees one centre.

use sslc_compiler::plan::ops::Center;

use super::{Env, Forward, Inputs, rows};
use crate::error::RunError;
use crate::val::Val;

impl Forward for Center {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let state = env
            .state
            .ok_or_else(|| RunError::Internal("center run without its state".into()))?;
        let m = env.at(&self.momentum);
        match x.take(self.x)? {
            Val::Vectors(t) => Ok(Val::Vectors(state.center(t, m))),
            Val::Tokens(t) => {
                let shape = t.dims();
                Ok(Val::Tokens(state.center(rows(Val::Tokens(t))?, m).reshape(shape)))
            }
            v => Err(RunError::Internal(format!("center of {}", v.kind()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::data;
    use crate::exec::state::OpState;

    #[test]
    fn every_token_of_every_image_moves_one_centre() {
        let state = OpState::default();
        let device = crate::device::default();
        // Two images of two tokens of width 1: mean 2.5.
        let x = || data(&[1.0, 2.0, 3.0, 4.0], [2, 2, 1], &device);
        let first = state.center(super::rows(crate::val::Val::Tokens(x())).unwrap(), 0.5);
        assert_eq!(first.try_into_vec_as::<f32>().unwrap(), [1.0, 2.0, 3.0, 4.0]);
        let centred = state.center(super::rows(crate::val::Val::Tokens(x())).unwrap(), 0.5);
        // c = 0.5·0 + 0.5·2.5 = 1.25.
        assert_eq!(centred.try_into_vec_as::<f32>().unwrap(), [-0.25, 0.75, 1.75, 2.75]);
    }
}
