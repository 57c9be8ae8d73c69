//! The small ResNet as a recipe declares it: the token grid and widths the compiler's shape rule
//! promises, with and without multi-stage taps, and gradients reaching the stem.

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::NetKind;
use sslc_compiler::plan::nets::ResNet;
use sslc_compiler::types::Ty;
use sslc_runtime::nets::Net;
use sslc_runtime::val::Val;

fn resnet(taps: bool) -> Net {
    let kind = NetKind::ResNet(ResNet {
        width: 4,
        taps,
        channels: 3,
    });
    let input = Ty::Image {
        c: 3,
        h: 16,
        w: 16,
        n: 1,
    };
    Net::build(&kind, Some(&input), &sslc_runtime::device::default().autodiff()).expect("a resnet")
}

#[test]
fn the_output_grid_and_width_follow_the_shape_rule() {
    let device = sslc_runtime::device::default().autodiff();
    let x: Vec<f32> = (0..2 * 3 * 16 * 16).map(|i| ((i * 37) % 11) as f32 / 11.0).collect();
    let x = Tensor::<4>::from_data(TensorData::new(x, [2, 3, 16, 16]), &device);
    for (taps, dim) in [(false, 4 * 8), (true, 4 * (2 + 4 + 8))] {
        let out = resnet(taps).forward(Val::Images(x.clone()), None).expect("forward");
        let Val::Tokens(t) = out else { panic!("tokens") };
        // Stride 8: a 2×2 grid of 16×16 images.
        assert_eq!(t.dims(), [2, 4, dim], "taps: {taps}");
    }
}

#[test]
fn gradients_reach_the_input_through_every_stage() {
    let device = sslc_runtime::device::default().autodiff();
    let x: Vec<f32> = (0..2 * 3 * 16 * 16).map(|i| ((i * 13) % 7) as f32 / 7.0).collect();
    let x = Tensor::<4>::from_data(TensorData::new(x, [2, 3, 16, 16]), &device).require_grad();
    let Val::Tokens(t) = resnet(true).forward(Val::Images(x.clone()), None).expect("forward") else {
        panic!("tokens")
    };
    let grads = t.powf_scalar(2.0).sum().backward();
    let g: Vec<f32> = x.grad(&grads).expect("a gradient").try_into_vec_as().expect("values");
    assert!(g.iter().all(|v| v.is_finite()));
    assert!(
        g.iter().filter(|v| v.abs() > 0.0).count() > g.len() / 2,
        "most pixels get a gradient"
    );
}
