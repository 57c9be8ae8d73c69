//! A ViT's register tokens: every token attends to them, the output leaves them out, and they
//! learn from the loss.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Distribution, Tensor};
use sslc_runtime::nets::{Vit, VitSpec};

fn spec(registers: usize) -> VitSpec {
    VitSpec {
        patch: 4,
        dim: 8,
        depth: 2,
        heads: 2,
        mlp_ratio: 2.0,
        cls: true,
        channels: 3,
        drop_path: 0.0,
        mask_token: false,
        registers,
        rope: false,
        grid: (2, 2),
    }
}

/// The gradient norm of the parameter of shape `[1, registers, dim]`.
struct RegisterGrad<'a> {
    grads: &'a burn::tensor::Gradients,
    shape: [usize; 3],
    norm: Option<f32>,
}

impl ModuleVisitor for RegisterGrad<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if param.dims().as_slice() == self.shape.as_slice() && D == 3 {
            let g = param.val().grad(self.grads).expect("a gradient");
            let squares: Vec<f32> = g.powi_scalar(2).sum().try_into_vec_as().expect("a value");
            self.norm = Some(squares[0].sqrt());
        }
    }
}

#[test]
fn registers_stay_out_of_the_output_and_learn_from_it() {
    let device = sslc_runtime::device::default().autodiff();
    let x = Tensor::<4>::random([2, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let plain = Vit::new(&spec(0), &device);
    let with = Vit::new(&spec(4), &device);
    let out = with.forward(x.clone(), None).expect("a forward pass");
    // Class token and the 2×2 grid, as without registers.
    assert_eq!(
        out.dims(),
        plain.forward(x.clone(), None).expect("a forward pass").dims()
    );
    assert_eq!(out.dims(), [2, 5, 8]);
    let grads = out.powi_scalar(2).sum().backward();
    let mut visit = RegisterGrad {
        grads: &grads,
        shape: [1, 4, 8],
        norm: None,
    };
    with.visit(&mut visit);
    let norm = visit.norm.expect("a parameter for the registers");
    assert!(norm > 0.0, "the registers get no gradient");
}

#[test]
fn registers_work_without_a_class_token() {
    let device = sslc_runtime::device::default();
    let x = Tensor::<4>::random([2, 3, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let vit = Vit::new(&VitSpec { cls: false, ..spec(2) }, &device);
    let out = vit.forward(x, None).expect("a forward pass");
    // The 2×2 grid only: no class token, the registers left out.
    assert_eq!(out.dims(), [2, 4, 8]);
}
