//! Test helpers for the ops' own tests: random matrices, and a check of a loss's value and
//! gradient against its formula written out in float64 (central finite differences).

use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

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
