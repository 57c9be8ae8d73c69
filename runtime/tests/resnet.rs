//! The ResNet as a recipe declares it: the token grid and widths the compiler's shape rule
//! promises (small and imagenet stems, basic and bottleneck blocks, with and without multi-stage
//! taps), gradients reaching the stem, and running BatchNorm statistics that move only when a
//! pass trains the network and that evaluation uses.

use burn::tensor::{Tensor, TensorData};
use sslc_compiler::plan::NetKind;
use sslc_compiler::plan::nets::{BnStats, ResNet, Stem};
use sslc_compiler::types::Ty;
use sslc_runtime::nets::{Net, Pass};
use sslc_runtime::val::Val;

fn resnet(taps: bool) -> Net {
    build(ResNet {
        width: 4,
        depth: 10,
        stem: Stem::Small,
        bn: BnStats::Batch,
        taps,
        channels: 3,
    })
}

fn build(spec: ResNet) -> Net {
    let input = Ty::Image {
        c: 3,
        h: 64,
        w: 64,
        n: 1,
    };
    Net::build(
        &NetKind::ResNet(spec),
        Some(&input),
        &sslc_runtime::device::default().autodiff(),
    )
    .expect("a resnet")
}

/// A ResNet-18 in torchvision's layout at width 4, keeping running statistics.
fn torchvision18() -> Net {
    build(ResNet {
        width: 4,
        depth: 18,
        stem: Stem::Imagenet,
        bn: BnStats::Running,
        taps: false,
        channels: 3,
    })
}

fn images(n: usize, side: usize, seed: usize) -> Tensor<4> {
    let x: Vec<f32> = (0..n * 3 * side * side)
        .map(|i| (((i + seed) * 37) % 11) as f32 / 11.0)
        .collect();
    Tensor::<4>::from_data(
        TensorData::new(x, [n, 3, side, side]),
        &sslc_runtime::device::default().autodiff(),
    )
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.try_into_vec_as::<f32>().expect("values")
}

fn tokens(net: &Net, x: Tensor<4>, pass: Pass) -> Tensor<3> {
    match net.forward(Val::Images(x), None, pass).expect("forward") {
        Val::Tokens(t) => t,
        other => panic!("{}", other.kind()),
    }
}

/// The stem norm's running mean, variance and batch count.
fn stem_running(net: &Net) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let Net::ResNet(r) = net else { panic!("a resnet") };
    let running = r.stem.bn.running.as_ref().expect("running statistics");
    (
        values(running.mean.value()),
        values(running.var.value()),
        values(running.batches.value()),
    )
}

#[test]
fn torchvision_layouts_give_the_grid_at_stride_32_and_bottlenecks_four_times_the_width() {
    for (depth, dim) in [(18, 4 * 8), (34, 4 * 8), (50, 4 * 8 * 4)] {
        let net = build(ResNet {
            width: 4,
            depth,
            stem: Stem::Imagenet,
            bn: BnStats::Running,
            taps: false,
            channels: 3,
        });
        // 64 px at stride 32: a 2×2 grid.
        assert_eq!(
            tokens(&net, images(2, 64, 0), Pass::Learn).dims(),
            [2, 4, dim],
            "depth {depth}"
        );
    }
}

#[test]
fn running_statistics_follow_the_batches_of_passes_that_train_the_network_only() {
    let net = torchvision18();
    let x = images(4, 64, 1);
    let fresh = stem_running(&net);
    assert_eq!(fresh, (vec![0.0; 4], vec![1.0; 4], vec![0.0]));
    tokens(&net, x.clone(), Pass::Batch);
    tokens(&net, x.clone(), Pass::Infer);
    assert_eq!(stem_running(&net), fresh, "passes that do not train keep nothing");

    tokens(&net, x.clone(), Pass::Learn);
    let (mean, var, batches) = stem_running(&net);
    assert_eq!(batches, [1.0]);
    // PyTorch's rule: 0.9 of the old average and 0.1 of the batch's mean and unbiased variance
    // of the stem convolution's output, per channel.
    let Net::ResNet(r) = &net else { unreachable!() };
    let conv = values(r.stem.conv.forward(x).permute([1, 0, 2, 3]).reshape([4, 4 * 32 * 32]));
    let n = 4 * 32 * 32;
    for c in 0..4 {
        let col = &conv[c * n..(c + 1) * n];
        let m = col.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
        let v = col.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(
            (mean[c] as f64 - 0.1 * m).abs() < 1e-5,
            "channel {c}: mean {} vs {}",
            mean[c],
            0.1 * m
        );
        assert!(
            (var[c] as f64 - (0.9 + 0.1 * v)).abs() < 1e-4,
            "channel {c}: var {} vs {}",
            var[c],
            0.9 + 0.1 * v
        );
    }
}

#[test]
fn evaluation_uses_the_running_statistics_so_an_image_comes_out_the_same_in_any_batch() {
    let net = torchvision18();
    tokens(&net, images(8, 64, 2), Pass::Learn);
    // The same first image, with two different partners.
    let image = images(1, 64, 3);
    let one = Tensor::cat(vec![image.clone(), images(1, 64, 4)], 0);
    let other = Tensor::cat(vec![image, images(1, 64, 5)], 0);
    let first = |x: Tensor<4>, pass: Pass| values(tokens(&net, x, pass).narrow(0, 0, 1));
    let (a, b) = (first(one.clone(), Pass::Infer), first(other.clone(), Pass::Infer));
    for (a, b) in a.iter().zip(&b) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
    // Batch statistics are what a training pass sees: there the partner matters.
    assert_ne!(first(one, Pass::Batch), first(other, Pass::Batch));
}

#[test]
fn the_output_grid_and_width_follow_the_shape_rule() {
    let device = sslc_runtime::device::default().autodiff();
    let x: Vec<f32> = (0..2 * 3 * 16 * 16).map(|i| ((i * 37) % 11) as f32 / 11.0).collect();
    let x = Tensor::<4>::from_data(TensorData::new(x, [2, 3, 16, 16]), &device);
    for (taps, dim) in [(false, 4 * 8), (true, 4 * (2 + 4 + 8))] {
        let out = resnet(taps)
            .forward(Val::Images(x.clone()), None, Pass::Learn)
            .expect("forward");
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
    let Val::Tokens(t) = resnet(true)
        .forward(Val::Images(x.clone()), None, Pass::Learn)
        .expect("forward")
    else {
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
