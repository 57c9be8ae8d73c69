//! The differentiable tensor ops that are not losses, decoded and run as a plan runs
//! them, against float64 formulas: values, and gradients of a random weighting of the outputs
//! against central finite differences.

use burn::tensor::{Device, Tensor, TensorData};
use sslc_compiler::plan::{Args, Slot, TensorOp};
use sslc_compiler::value::Param;
use sslc_runtime::exec::ops::{Ctx, Env, Forward, Inputs};
use sslc_runtime::rng::Rng;
use sslc_runtime::val::Val;

const CTX: Ctx = Ctx { epoch: 0.0, total: 1.0 };

fn random(n: usize, rng: &mut Rng) -> Vec<f64> {
    (0..n).map(|_| rng.normal() as f64).collect()
}

fn data<const D: usize>(v: &[f64], shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(
        TensorData::new(v.iter().map(|x| *x as f32).collect::<Vec<_>>(), shape),
        device,
    )
}

/// Checks `op(x)` against `reference(x)` (both flattened), and the gradient of Σ rᵢ·outᵢ for
/// random r against finite differences of the float64 formula.
fn check<const D: usize>(
    name: &str,
    x: &[f64],
    shape: [usize; D],
    reference: impl Fn(&[f64]) -> Vec<f64>,
    op: impl Fn(Tensor<D>) -> Tensor<1>,
) {
    let device = sslc_runtime::device::default().autodiff();
    let tx = data(x, shape, &device).require_grad();
    let out = op(tx.clone());
    let got: Vec<f32> = out.clone().try_into_vec_as().expect("values");
    let want = reference(x);
    assert_eq!(got.len(), want.len(), "{name}: output size");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (*g as f64 - w).abs() <= 1e-4 * (1.0 + w.abs()),
            "{name}[{i}]: burn {g}, float64 {w}"
        );
    }
    let r = random(want.len(), &mut Rng::new(99));
    let grads = out.mul(data(&r, [r.len()], &device)).sum().backward();
    let grad: Vec<f32> = tx.grad(&grads).expect("a gradient").try_into_vec_as().expect("grad");
    let weighted = |x: &[f64]| reference(x).iter().zip(&r).map(|(a, b)| a * b).sum::<f64>();
    let h = 1e-5;
    for i in 0..x.len() {
        let (mut up, mut down) = (x.to_vec(), x.to_vec());
        up[i] += h;
        down[i] -= h;
        let fd = (weighted(&up) - weighted(&down)) / (2.0 * h);
        assert!(
            (grad[i] as f64 - fd).abs() <= 1e-3 * (1.0 + fd.abs()),
            "{name}: ∂x[{i}] autodiff {}, finite differences {fd}",
            grad[i]
        );
    }
}

/// Decodes `op` as the compiler does, its inputs in slots 0, 1, …, and runs it.
fn apply(op: &str, params: &[(&str, Param)], inputs: Vec<(&str, Val)>, images: usize) -> Val {
    let params: Vec<(String, Param)> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let ports: Vec<(String, usize)> = inputs
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.to_string(), i))
        .collect();
    let decoded = TensorOp::decode(
        op,
        &Args {
            inputs: &ports,
            params: &params,
        },
    )
    .expect("a tensor op")
    .expect(op);
    let values = inputs.into_iter().enumerate().map(|(i, (_, v))| (Slot(i), v)).collect();
    let env = Env {
        at: CTX,
        images,
        state: None,
    };
    decoded.forward(&mut Inputs::new(values), env).expect(op)
}

fn flat(v: Val) -> Tensor<1> {
    match v {
        Val::Vectors(t) => t.flatten(0, 1),
        Val::Tokens(t) | Val::Matrix(t) => t.flatten(0, 2),
        Val::Scalar(t) => t,
        other => panic!("unexpected {}", other.kind()),
    }
}

/// Each row of width `d` scaled to unit length.
fn ref_l2norm(x: &[f64], d: usize) -> Vec<f64> {
    x.chunks(d)
        .flat_map(|r| {
            let n = r.iter().map(|v| v * v).sum::<f64>().sqrt();
            r.iter().map(move |v| v / n)
        })
        .collect()
}

/// Each row of width `d` to zero mean and unit (biased) variance, ε = 1e-6.
fn ref_layer_norm(x: &[f64], d: usize) -> Vec<f64> {
    x.chunks(d)
        .flat_map(|r| {
            let mean = r.iter().sum::<f64>() / d as f64;
            let var = r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d as f64;
            r.iter().map(move |v| (v - mean) / (var + 1e-6).sqrt())
        })
        .collect()
}

#[test]
fn l2norm_matches_its_formula() {
    let x = random(4 * 5, &mut Rng::new(1));
    check(
        "l2norm",
        &x,
        [4, 5],
        |x| ref_l2norm(x, 5),
        |t| flat(apply("l2norm", &[], vec![("x", Val::Vectors(t))], 4)),
    );
}

#[test]
fn layer_norm_matches_its_formula() {
    let x = random(2 * 3 * 5, &mut Rng::new(2));
    check(
        "layer_norm",
        &x,
        [2, 3, 5],
        |x| ref_layer_norm(x, 5),
        |t| flat(apply("layer_norm", &[], vec![("x", Val::Tokens(t))], 2)),
    );
}

/// Patches of a [1, c, h, w] image, row-major over the grid, each `c·p·p` in (c, y, x) order.
fn ref_patchify(x: &[f64], c: usize, h: usize, w: usize, p: usize) -> Vec<f64> {
    let mut out = vec![];
    for gy in 0..h / p {
        for gx in 0..w / p {
            for ch in 0..c {
                for y in 0..p {
                    for xx in 0..p {
                        out.push(x[(ch * h + gy * p + y) * w + gx * p + xx]);
                    }
                }
            }
        }
    }
    out
}

#[test]
fn patchify_matches_its_formula_with_and_without_normalised_patches() {
    let (c, h, w, p) = (2, 4, 6, 2);
    let x = random(c * h * w, &mut Rng::new(3));
    for normalize in [false, true] {
        let reference = |x: &[f64]| {
            let patches = ref_patchify(x, c, h, w, p);
            if normalize {
                ref_layer_norm(&patches, c * p * p)
            } else {
                patches
            }
        };
        check("patchify", &x, [1, c, h, w], reference, |t| {
            let params = [("patch", Param::Num(p as f64)), ("normalize", Param::Bool(normalize))];
            flat(apply("patchify", &params, vec![("x", Val::Images(t))], 1))
        });
    }
}

#[test]
fn dot_matches_its_formula() {
    let (a, b) = (random(3 * 4, &mut Rng::new(4)), random(3 * 4, &mut Rng::new(5)));
    let reference = |a: &[f64]| {
        a.chunks(4)
            .zip(b.chunks(4))
            .map(|(x, y)| x.iter().zip(y).map(|(u, v)| u * v).sum())
            .collect()
    };
    let device = sslc_runtime::device::default().autodiff();
    let tb = data(&b, [3, 4], &device);
    check("dot", &a, [3, 4], reference, |t| {
        flat(apply(
            "dot",
            &[],
            vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
            3,
        ))
    });
}

#[test]
fn pairwise_cosine_compares_the_rows_of_each_image() {
    // 2 images, 3 rows each in `a`, 2 rows each in `b`, width 4.
    let (a, b) = (random(6 * 4, &mut Rng::new(6)), random(4 * 4, &mut Rng::new(7)));
    let reference = |a: &[f64]| {
        let (na, nb) = (ref_l2norm(a, 4), ref_l2norm(&b, 4));
        let mut out = vec![];
        for img in 0..2 {
            for i in 0..3 {
                for j in 0..2 {
                    let (x, y) = (&na[(img * 3 + i) * 4..][..4], &nb[(img * 2 + j) * 4..][..4]);
                    out.push(x.iter().zip(y).map(|(u, v)| u * v).sum());
                }
            }
        }
        out
    };
    let device = sslc_runtime::device::default().autodiff();
    let tb = data(&b, [4, 4], &device);
    check("pairwise_cosine", &a, [6, 4], reference, |t| {
        flat(apply(
            "pairwise_cosine",
            &[],
            vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
            2,
        ))
    });
}

#[test]
fn softmax_matches_its_formula() {
    let x = random(3 * 4, &mut Rng::new(8));
    let reference = |x: &[f64]| {
        x.chunks(4)
            .flat_map(|r| {
                let e: Vec<f64> = r.iter().map(|v| (v / 0.5).exp()).collect();
                let z: f64 = e.iter().sum();
                e.into_iter().map(move |v| v / z)
            })
            .collect()
    };
    check("softmax", &x, [3, 4], reference, |t| {
        flat(apply(
            "softmax",
            &[("temperature", Param::Num(0.5))],
            vec![("x", Val::Vectors(t))],
            3,
        ))
    });
}

#[test]
fn maximum_takes_the_larger_of_each_pair() {
    let (a, b) = (random(2 * 3, &mut Rng::new(9)), random(2 * 3, &mut Rng::new(10)));
    let reference = |a: &[f64]| a.iter().zip(&b).map(|(x, y)| x.max(*y)).collect();
    let device = sslc_runtime::device::default().autodiff();
    let tb = data(&b, [2, 3], &device);
    check("maximum", &a, [2, 3], reference, |t| {
        flat(apply(
            "maximum",
            &[],
            vec![("a", Val::Vectors(t)), ("b", Val::Vectors(tb.clone()))],
            2,
        ))
    });
}

/// An op, its parameters and its float64 formula.
type Case<'a> = (
    &'static str,
    Vec<(&'static str, Param)>,
    Box<dyn Fn(&[f64]) -> Vec<f64> + 'a>,
);

#[test]
fn token_reductions_and_selections_match_their_formulas() {
    // 2 images × 5 tokens (a class token and a 2×2 grid) × width 3.
    let (b, n, d) = (2, 5, 3);
    let x = random(b * n * d, &mut Rng::new(11));
    let token = move |x: &[f64], i: usize, t: usize| x[(i * n + t) * d..][..d].to_vec();
    let cases: [Case; 5] = [
        (
            "cls",
            vec![],
            Box::new(move |x| (0..b).flat_map(|i| token(x, i, 0)).collect()),
        ),
        (
            "patches",
            vec![],
            Box::new(move |x| (0..b).flat_map(|i| (1..n).flat_map(move |t| token(x, i, t))).collect()),
        ),
        (
            "mean_tokens",
            vec![],
            Box::new(move |x| {
                (0..b)
                    .flat_map(|i| (0..d).map(move |c| (0..n).map(|t| x[(i * n + t) * d + c]).sum::<f64>() / n as f64))
                    .collect()
            }),
        ),
        (
            "last_tokens",
            vec![("len", Param::Num(2.0))],
            Box::new(move |x| {
                (0..b)
                    .flat_map(|i| (n - 2..n).flat_map(move |t| token(x, i, t)))
                    .collect()
            }),
        ),
        (
            "slice_tokens",
            vec![("start", Param::Num(1.0)), ("len", Param::Num(3.0))],
            Box::new(move |x| (0..b).flat_map(|i| (1..4).flat_map(move |t| token(x, i, t))).collect()),
        ),
    ];
    for (op, params, reference) in cases {
        check(op, &x, [b, n, d], reference, |t| {
            flat(apply(op, &params, vec![("x", Val::Tokens(t))], b))
        });
    }
}

#[test]
fn per_image_view_ops_and_sums_match_their_formulas() {
    // 2 images × 3 views of width 2, stored image-major (a scene's views consecutively).
    let x = random(6 * 2, &mut Rng::new(12));
    let concat = |x: &[f64]| x.to_vec();
    check("concat_views", &x, [6, 2], concat, |t| {
        flat(apply("concat_views", &[], vec![("x", Val::Vectors(t))], 2))
    });
    let mean = |x: &[f64]| {
        (0..2)
            .flat_map(|i| (0..2).map(move |c| (0..3).map(|v| x[(i * 3 + v) * 2 + c]).sum::<f64>() / 3.0))
            .collect()
    };
    check("mean_views", &x, [6, 2], mean, |t| {
        flat(apply("mean_views", &[], vec![("x", Val::Vectors(t))], 2))
    });
    let relu = |x: &[f64]| x.iter().map(|v| v.max(0.0)).collect();
    check("relu", &x, [6, 2], relu, |t| {
        flat(apply("relu", &[], vec![("x", Val::Vectors(t))], 2))
    });
    // sum and mean give one value per image.
    let sum = |x: &[f64]| x.chunks(6).map(|c| c.iter().sum()).collect();
    check("sum", &x, [6, 2], sum, |t| {
        flat(apply("sum", &[], vec![("x", Val::Vectors(t))], 2))
    });
    let avg = |x: &[f64]| x.chunks(6).map(|c| c.iter().sum::<f64>() / 6.0).collect();
    check("mean", &x, [6, 2], avg, |t| {
        flat(apply("mean", &[], vec![("x", Val::Vectors(t))], 2))
    });
}

#[test]
fn concat_tokens_puts_b_after_a() {
    let (a, b) = (random(2 * 2 * 3, &mut Rng::new(13)), random(2 * 3, &mut Rng::new(14)));
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
    let device = sslc_runtime::device::default().autodiff();
    let tb = data(&b, [2, 1, 3], &device);
    check("concat_tokens", &a, [2, 2, 3], reference, |t| {
        flat(apply(
            "concat_tokens",
            &[],
            vec![("a", Val::Tokens(t)), ("b", Val::Tokens(tb.clone()))],
            2,
        ))
    });
}

#[test]
fn dino_centering_subtracts_the_running_center_and_moves_it() {
    // Teacher logits arrive detached on the autodiff device, or on the plain one.
    for device in [
        sslc_runtime::device::default(),
        sslc_runtime::device::default().autodiff(),
    ] {
        centering_on(&device);
    }
}

fn centering_on(device: &Device) {
    use sslc_runtime::exec::state::OpState;
    let device = device.clone();
    let state = OpState::default();
    let b1 = vec![1.0, 2.0, 3.0, 5.0];
    let b2 = vec![0.0, 4.0, 2.0, 0.0];
    let m = 0.9;
    // First call: center 0, then c₁ = (1 − m)·mean(b1) = 0.1·(2, 3.5).
    let out1: Vec<f32> = state
        .center(data(&b1, [2, 2], &device), m)
        .try_into_vec_as()
        .expect("values");
    assert_eq!(out1, vec![1.0, 2.0, 3.0, 5.0]);
    let c1 = [0.1 * 2.0, 0.1 * 3.5];
    let out2: Vec<f32> = state
        .center(data(&b2, [2, 2], &device), m)
        .try_into_vec_as()
        .expect("values");
    for (i, (g, v)) in out2.iter().zip(&b2).enumerate() {
        let want = v - c1[i % 2];
        assert!((*g as f64 - want).abs() < 1e-6, "centred {g}, want {want}");
    }
}
