//! Sinkhorn–Knopp against a float64 computation, and its marginals.

use burn::tensor::{Tensor, TensorData};
use sslc_runtime::exec::transport::sinkhorn;
use sslc_runtime::rng::Rng;

fn reference(cost: &[f64], r: &[f64], c: &[f64], n: usize, m: usize, eps: f64, iters: usize) -> Vec<f64> {
    let (rs, cs): (f64, f64) = (r.iter().map(|x| x + 1e-8).sum(), c.iter().map(|x| x + 1e-8).sum());
    let r: Vec<f64> = r.iter().map(|x| (x + 1e-8) / rs).collect();
    let c: Vec<f64> = c.iter().map(|x| (x + 1e-8) / cs).collect();
    let k: Vec<f64> = cost.iter().map(|x| (-x / eps).exp()).collect();
    let (mut u, mut v) = (vec![1.0; n], vec![1.0; m]);
    for _ in 0..iters {
        for i in 0..n {
            u[i] = r[i] / (0..m).map(|j| k[i * m + j] * v[j]).sum::<f64>();
        }
        for j in 0..m {
            v[j] = c[j] / (0..n).map(|i| k[i * m + j] * u[i]).sum::<f64>();
        }
    }
    (0..n * m).map(|ij| u[ij / m] * k[ij] * v[ij % m]).collect()
}

#[test]
fn the_plan_matches_float64_sinkhorn_and_its_marginals() {
    let device = sslc_runtime::device::default();
    let mut rng = Rng::new(5);
    let (n, m) = (3, 4);
    let cost: Vec<f64> = (0..n * m).map(|_| rng.range(0.0, 2.0) as f64).collect();
    let r: Vec<f64> = (0..n).map(|_| rng.range(0.1, 1.0) as f64).collect();
    let c: Vec<f64> = (0..m).map(|_| rng.range(0.1, 1.0) as f64).collect();
    let f32s = |v: &[f64]| v.iter().map(|x| *x as f32).collect::<Vec<_>>();
    let plan = sinkhorn(
        Tensor::<3>::from_data(TensorData::new(f32s(&cost), [1, n, m]), &device),
        Tensor::<1>::from_data(TensorData::new(f32s(&r), [n]), &device),
        Tensor::<1>::from_data(TensorData::new(f32s(&c), [m]), &device),
        0.5,
        50,
    );
    let got: Vec<f32> = plan.try_into_vec_as().expect("plan");
    let want = reference(&cost, &r, &c, n, m, 0.5, 50);
    for (g, w) in got.iter().zip(&want) {
        assert!((*g as f64 - w).abs() < 1e-5, "plan {g} vs {w}");
    }
    let rs: f64 = r.iter().sum();
    for i in 0..n {
        let row: f64 = (0..m).map(|j| got[i * m + j] as f64).sum();
        assert!((row - r[i] / rs).abs() < 1e-4, "row {i} carries {row}");
    }
}
