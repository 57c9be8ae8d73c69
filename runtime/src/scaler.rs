//! The dynamic loss scale of float16 training, as `torch.amp.GradScaler` keeps it: the loss is
//! multiplied by the scale before the backward, so small gradients survive float16; a step
//! whose gradients overflow is skipped and the scale halved; after 2000 steps in a row without
//! overflow it doubles.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

/// GradScaler's defaults: start, growth interval.
const START: f32 = 65536.0;
const GROWTH_INTERVAL: u32 = 2000;

/// The scale and how many steps in a row it has not overflowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossScale {
    pub scale: f32,
    pub good: u32,
}

impl Default for LossScale {
    fn default() -> Self {
        LossScale { scale: START, good: 0 }
    }
}

impl LossScale {
    /// After a step whose gradients were `finite`: the next scale.
    pub fn update(&mut self, finite: bool) {
        if finite {
            self.good += 1;
            if self.good >= GROWTH_INTERVAL {
                self.scale *= 2.0;
                self.good = 0;
            }
        } else {
            self.scale = (self.scale / 2.0).max(1.0);
            self.good = 0;
        }
    }
}

/// Divides every gradient by the scale; whether they were all finite.
pub fn unscale<M: Module>(nets: &[M], grads: &mut GradientsParams, scale: f32) -> bool {
    let mut visit = Unscale {
        grads,
        inverse: 1.0 / scale,
        finite: true,
    };
    for net in nets {
        net.visit(&mut visit);
    }
    visit.finite
}

struct Unscale<'a> {
    grads: &'a mut GradientsParams,
    inverse: f32,
    finite: bool,
}

impl ModuleVisitor for Unscale<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let Some(g) = self.grads.remove::<D>(param.id) else {
            return;
        };
        let g = g.mul_scalar(self.inverse);
        if self.finite {
            let total: Vec<f32> = g.clone().sum().try_into_vec_as().unwrap_or_else(|_| vec![f32::NAN]);
            self.finite = total.first().is_some_and(|v| v.is_finite());
        }
        self.grads.register::<D>(param.id, g);
    }
}

#[cfg(test)]
mod tests {
    use super::LossScale;

    #[test]
    fn the_scale_halves_on_overflow_and_doubles_after_2000_good_steps() {
        let mut s = LossScale::default();
        s.update(false);
        assert_eq!(s.scale, 32768.0);
        for _ in 0..1999 {
            s.update(true);
        }
        assert_eq!(s.scale, 32768.0);
        s.update(true);
        assert_eq!((s.scale, s.good), (65536.0, 0));
    }
}
