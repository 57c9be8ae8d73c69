//! `ema(x, momentum: m)` of a value for the batch: m·s + (1 − m)·x, s what it gave at the step
//! before (0 at first, no gradient), kept across steps (`OpState`); the gradient reaches x.

use sslc_compiler::plan::ops::EmaOf;

use super::{Env, Forward, Inputs, four, value};
use crate::error::RunError;
use crate::val::Val;

impl Forward for EmaOf {
    fn forward(&self, x: &mut Inputs, env: Env) -> Result<Val, RunError> {
        let t = four(x, &env, self.x)?;
        let shape = t.dims();
        let state = env
            .state
            .ok_or_else(|| RunError::Internal("`ema` without its state".into()))?;
        let out = state.ema(t.reshape([shape.iter().product::<usize>()]), env.at(&self.momentum));
        value(&env, out.reshape(shape))
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};
    use sslc_compiler::plan::{Args, Slot, TensorOp};
    use sslc_compiler::types::Ty;
    use sslc_compiler::value::Param;

    use super::super::{Ctx, Env, Forward, Inputs, Types};
    use crate::exec::state::OpState;
    use crate::val::Val;

    #[test]
    fn ema_starts_at_zero_and_follows_each_step() {
        let device = crate::device::default().autodiff();
        let params = vec![("momentum".to_string(), Param::Num(0.75))];
        let ports = vec![("x".to_string(), 0)];
        let op = TensorOp::decode(
            "ema",
            &Args {
                inputs: &ports,
                params: &params,
            },
        )
        .expect("an op")
        .expect("ema");
        let ty = Ty::Batch(Box::new(Ty::Vector { dim: 2, n: 1 }));
        let types = [Some(ty.clone())];
        let state = OpState::default();
        let mut outs = vec![];
        for (step, v) in [[4.0f32, 8.0], [0.0, 0.0]].into_iter().enumerate() {
            let x = Tensor::<2>::from_data(TensorData::new(v.to_vec(), [1, 2]), &device).require_grad();
            let env = Env {
                at: Ctx {
                    epoch: 0.0,
                    total: 1.0,
                    pass: crate::nets::Pass::Learn,
                },
                images: 4,
                state: Some(&state),
                types: Types {
                    out: Some(&ty),
                    slots: &types,
                },
                device: Some(&device),
                observe: None,
            };
            let out = op
                .forward(&mut Inputs::new(vec![(Slot(0), Val::Vectors(x.clone()))]), env)
                .expect("ema");
            let Val::Vectors(o) = out else { panic!("vectors") };
            let grads = o.clone().sum().backward();
            let g: Vec<f32> = x.grad(&grads).expect("a gradient").try_into_vec_as().expect("grad");
            assert_eq!(
                g,
                vec![0.25, 0.25],
                "step {step}: the gradient reaches x scaled by 1 − m"
            );
            outs.push(o.try_into_vec_as::<f32>().expect("values"));
        }
        // 0.25·(4, 8) = (1, 2); then 0.75·(1, 2) + 0.25·0.
        assert_eq!(outs, vec![vec![1.0, 2.0], vec![0.75, 1.5]]);
    }
}
