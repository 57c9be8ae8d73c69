//! Test helpers for the ops' own tests: random inputs, a check of a loss's or an op's value
//! and gradient against its formula written out in float64 (central finite differences), and
//! running an op as a plan does (decoded, then its `Forward`).

use burn::tensor::{Device, Tensor, TensorData};
use sslc_compiler::plan::{Args, Input, Slot, TensorOp};
use sslc_compiler::types::Ty;
use sslc_compiler::value::Param;

use super::{Ctx, Env, Forward, Inputs};
use crate::rng::Rng;
use crate::val::Val;

pub type Mat = Vec<Vec<f64>>;

pub fn random(rows: usize, cols: usize, rng: &mut Rng) -> Mat {
    (0..rows)
        .map(|_| (0..cols).map(|_| rng.normal() as f64).collect())
        .collect()
}

pub fn tensor(m: &Mat, device: &Device) -> Tensor<2> {
    let (r, c) = (m.len(), m[0].len());
    let flat: Vec<f32> = m.iter().flatten().map(|v| *v as f32).collect();
    Tensor::from_data(TensorData::new(flat, [r, c]), device)
}

pub fn cos(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// Checks a loss's value and its gradient with respect to the first argument.
pub fn check(
    name: &str,
    a: &Mat,
    b: &Mat,
    reference: impl Fn(&Mat, &Mat) -> f64,
    burn_loss: impl Fn(Tensor<2>, Tensor<2>) -> Tensor<1>,
) {
    let device = crate::device::default().autodiff();
    let ta = tensor(a, &device).require_grad();
    let tb = tensor(b, &device);
    let loss = burn_loss(ta.clone(), tb);
    let got = loss.clone().try_into_vec_as::<f32>().expect("loss value")[0] as f64;
    let want = reference(a, b);
    assert!(
        (got - want).abs() <= 1e-4 * (1.0 + want.abs()),
        "{name}: burn {got}, float64 {want}"
    );
    let grads = loss.backward();
    let grad: Vec<f32> = ta
        .grad(&grads)
        .expect("a gradient")
        .try_into_vec_as::<f32>()
        .expect("grad");
    let h = 1e-5;
    let cols = a[0].len();
    for (i, row) in a.iter().enumerate() {
        for j in 0..row.len() {
            let (mut up, mut down) = (a.clone(), a.clone());
            up[i][j] += h;
            down[i][j] -= h;
            let fd = (reference(&up, b) - reference(&down, b)) / (2.0 * h);
            let g = grad[i * cols + j] as f64;
            assert!(
                (g - fd).abs() <= 1e-3 * (1.0 + fd.abs()),
                "{name}: ∂/∂a[{i}][{j}] autodiff {g}, finite differences {fd}"
            );
        }
    }
}

/// `n` standard normal draws.
pub fn values(n: usize, rng: &mut Rng) -> Vec<f64> {
    (0..n).map(|_| rng.normal() as f64).collect()
}

pub fn data<const D: usize>(v: &[f64], shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(
        TensorData::new(v.iter().map(|x| *x as f32).collect::<Vec<_>>(), shape),
        device,
    )
}

/// Checks `op(x)` against `reference(x)` (both flattened), and the gradient of Σ rᵢ·outᵢ for
/// random r against finite differences of the float64 formula.
pub fn check_op<const D: usize>(
    name: &str,
    x: &[f64],
    shape: [usize; D],
    reference: impl Fn(&[f64]) -> Vec<f64>,
    op: impl Fn(Tensor<D>) -> Tensor<1>,
) {
    let device = crate::device::default().autodiff();
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
    let r = values(want.len(), &mut Rng::new(99));
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

/// Decodes `op` as the compiler does, its inputs in slots 0, 1, …, and runs it on a batch of
/// `images` images.
pub fn apply(op: &str, params: &[(&str, Param)], inputs: Vec<(&str, Val)>, images: usize) -> Val {
    run(op, params, inputs, &[], None, images)
}

/// [`apply`] with the compiler's types of the inputs and the output, which the algebra's ops
/// read their layouts from.
pub fn apply_typed(op: &str, params: &[(&str, Param)], inputs: Vec<(&str, Val, Ty)>, out: Ty, images: usize) -> Val {
    let types: Vec<Option<Ty>> = inputs.iter().map(|(_, _, t)| Some(t.clone())).collect();
    let inputs = inputs.into_iter().map(|(k, v, _)| (k, v)).collect();
    run(op, params, inputs, &types, Some(&out), images)
}

fn run(
    op: &str,
    params: &[(&str, Param)],
    inputs: Vec<(&str, Val)>,
    types: &[Option<Ty>],
    out: Option<&Ty>,
    images: usize,
) -> Val {
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
    // Detached as the plan's lowering marks them.
    let marked: Vec<Input> = ports
        .iter()
        .map(|(port, slot)| Input {
            port: port.clone(),
            slot: Slot(*slot),
            detached: sslc_compiler::registry::detaches_input(op, port),
        })
        .collect();
    let owned = inputs.into_iter().map(|(_, v)| v).collect();
    let values = super::detach_marked(owned, &marked)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (Slot(i), v))
        .collect();
    let device = crate::device::default();
    let env = Env {
        at: Ctx {
            epoch: 0.0,
            total: 1.0,
            pass: crate::nets::Pass::Learn,
        },
        images,
        state: None,
        types: super::Types { out, slots: types },
        device: Some(&device),
        observe: None,
    };
    decoded.forward(&mut Inputs::new(values), env).expect(op)
}

/// A mask over a grid of `hidden[r].len()` tokens hiding, in row `r`, the tokens marked `true`;
/// each image draws its own count, so it has no kept indices.
pub fn hiding(hidden: &[&[bool]], device: &Device) -> crate::val::Mask {
    use burn::tensor::Int;
    let (rows, tokens) = (hidden.len(), hidden.first().map_or(0, |r| r.len()));
    let flags: Vec<f32> = hidden
        .iter()
        .flat_map(|r| r.iter())
        .map(|h| f32::from(u8::from(*h)))
        .collect();
    let order: Vec<i64> = (0..rows).flat_map(|_| 0..tokens as i64).collect();
    crate::val::Mask {
        keep: None,
        restore: Tensor::<2, Int>::from_data(TensorData::new(order, [rows, tokens]), device),
        masked: Tensor::from_data(TensorData::new(flags, [rows, tokens]), device),
    }
}

/// An op's output flattened.
pub fn flat_val(v: Val) -> Tensor<1> {
    match v {
        Val::Vectors(t) => t.flatten(0, 1),
        Val::Tokens(t) | Val::Matrix(t) => t.flatten(0, 2),
        Val::Scalar(t) => t,
        other => panic!("unexpected {}", other.kind()),
    }
}

/// Each row of width `d` scaled to unit length.
pub fn ref_l2norm(x: &[f64], d: usize) -> Vec<f64> {
    x.chunks(d)
        .flat_map(|r| {
            let n = r.iter().map(|v| v * v).sum::<f64>().sqrt();
            r.iter().map(move |v| v / n)
        })
        .collect()
}

/// Each row of width `d` to zero mean and unit (biased) variance, ε = 1e-6.
pub fn ref_layer_norm(x: &[f64], d: usize) -> Vec<f64> {
    x.chunks(d)
        .flat_map(|r| {
            let mean = r.iter().sum::<f64>() / d as f64;
            let var = r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d as f64;
            r.iter().map(move |v| (v - mean) / (var + 1e-6).sqrt())
        })
        .collect()
}

/// The tokens the token ops are checked on: 2 images × 5 tokens (a class token and a 2×2
/// grid) × width 3.
pub const TOKENS: [usize; 3] = [2, 5, 3];

/// Token `t` of image `i` of `x`, laid out as [`TOKENS`].
pub fn token(x: &[f64], i: usize, t: usize) -> Vec<f64> {
    let [_, n, d] = TOKENS;
    x[(i * n + t) * d..][..d].to_vec()
}

/// Checks token op `op` on random tokens shaped [`TOKENS`] against `reference`.
pub fn check_tokens(op: &str, params: &[(&str, Param)], reference: impl Fn(&[f64]) -> Vec<f64>) {
    let x = values(TOKENS.iter().product(), &mut Rng::new(11));
    check_op(op, &x, TOKENS, reference, |t| {
        flat_val(apply(op, params, vec![("x", Val::Tokens(t))], TOKENS[0]))
    });
}

/// Checks op `op` on 2 images × 3 views of width 2 (vectors stored image-major, a scene's
/// views consecutively) against `reference`.
pub fn check_views(op: &str, reference: impl Fn(&[f64]) -> Vec<f64>) {
    let x = values(6 * 2, &mut Rng::new(12));
    check_op(op, &x, [6, 2], reference, |t| {
        flat_val(apply(op, &[], vec![("x", Val::Vectors(t))], 2))
    });
}

/// Checks a function of symmetric positive definite matrices: two random 3 × 3 matrices X
/// made into A = XᵀX + ½I (in burn and in float64), `op` of A against `reference(A)` (flat,
/// row-major), value and gradient through X.
pub fn check_spd(op: &str, out: Ty, reference: impl Fn(&nalgebra::DMatrix<f64>) -> Vec<f64>) {
    let x = values(18, &mut Rng::new(61));
    let spd = |m: &[f64]| {
        let x = nalgebra::DMatrix::from_row_slice(3, 3, m);
        x.transpose() * &x + nalgebra::DMatrix::identity(3, 3) * 0.5
    };
    check_op(
        op,
        &x,
        [2, 3, 3],
        |x| x.chunks(9).flat_map(|m| reference(&spd(m))).collect(),
        |t: Tensor<3>| {
            let eye = Tensor::<2>::eye(3, &t.device()).unsqueeze_dim::<3>(0).expand([2, 3, 3]);
            let a = t.clone().swap_dims(1, 2).matmul(t) + eye.mul_scalar(0.5);
            let ty = Ty::Matrix { rows: 3, cols: 3, n: 1 };
            flat_val(apply_typed(op, &[], vec![("x", Val::Matrix(a), ty)], out.clone(), 2))
        },
    );
}

/// A matrix flat, row-major.
pub fn row_major(m: &nalgebra::DMatrix<f64>) -> Vec<f64> {
    m.transpose().as_slice().to_vec()
}

/// U f(Λ) Uᵀ of symmetric `a`.
pub fn spectral(a: &nalgebra::DMatrix<f64>, f: impl Fn(f64) -> f64) -> nalgebra::DMatrix<f64> {
    let e = nalgebra::SymmetricEigen::new(a.clone());
    let l = nalgebra::DMatrix::from_diagonal(&e.eigenvalues.map(f));
    &e.eigenvectors * l * e.eigenvectors.transpose()
}

/// Where each number of a `[2 images, 3 views, 4 features]` value goes in a reduction's output.
type Grouping = fn(usize, usize, usize) -> usize;

/// Checks reduction `op` over `image`, `batch`, `views` and `features` of 2 images × 3 views of
/// vectors of width 4 against `reduce` of each group of numbers, value and gradient.
pub fn check_reduction(op: &str, reduce: fn(&[f64]) -> f64) {
    let x = values(24, &mut Rng::new(34));
    let vectors = Ty::Vector { dim: 4, n: 3 };
    let cases: [(&str, Ty, usize, Grouping); 4] = [
        ("image", Ty::Scalar { n: 1 }, 2, |i, _, _| i),
        (
            "batch",
            Ty::Batch(Box::new(Ty::Vector { dim: 4, n: 3 })),
            12,
            |_, v, f| v * 4 + f,
        ),
        ("views", Ty::Vector { dim: 4, n: 1 }, 8, |i, _, f| i * 4 + f),
        ("features", Ty::Scalar { n: 3 }, 6, |i, v, _| i * 3 + v),
    ];
    for (over, out, outputs, key) in cases {
        let grouped = |x: &[f64]| -> Vec<f64> {
            let mut groups = vec![vec![]; outputs];
            for (j, v) in x.iter().enumerate() {
                groups[key(j / 12, j / 4 % 3, j % 4)].push(*v);
            }
            groups.iter().map(|g| reduce(g)).collect()
        };
        check_op(op, &x, [6, 4], grouped, |t: Tensor<2>| {
            let params = [("over", Param::Str(over.into()))];
            flat_val(apply_typed(
                op,
                &params,
                vec![("x", Val::Vectors(t), vectors.clone())],
                out.clone(),
                2,
            ))
        });
    }
}
