//! LayerNorm's backward over rows of `f32`, a row at a time while it is in cache, for backends
//! whose tensors are slices in memory: each row's statistics are recomputed from x, then, with
//! x̂ = (x − μ)·r and g = dy·γ, dx = r·(g − mean(g) − x̂·mean(g·x̂)); dγ = Σ dy·x̂ and dβ = Σ dy
//! over the rows. Rows are split into fixed blocks, each with its own sums of dγ and dβ, and the
//! blocks' sums are added in order, so the result does not depend on how the blocks were
//! scheduled.

use rayon::prelude::*;

/// Rows per task.
const BLOCK: usize = 64;

/// dx (written to `dx`), dγ and dβ for rows of width `gamma.len()`.
pub fn backward(x: &[f32], dy: &[f32], gamma: &[f32], eps: f32, dx: &mut [f32]) -> (Vec<f32>, Vec<f32>) {
    let d = gamma.len();
    assert!(d > 0 && x.len().is_multiple_of(d) && dy.len() == x.len() && dx.len() == x.len());
    let blocks: Vec<(Vec<f32>, Vec<f32>)> = dx
        .par_chunks_mut(BLOCK * d)
        .zip(x.par_chunks(BLOCK * d))
        .zip(dy.par_chunks(BLOCK * d))
        .map(|((dx, x), dy)| {
            let mut sums = (vec![0.0; d], vec![0.0; d]);
            for ((dx, x), dy) in dx.chunks_mut(d).zip(x.chunks(d)).zip(dy.chunks(d)) {
                row(x, dy, gamma, eps, dx, &mut sums);
            }
            sums
        })
        .collect();
    let mut total = (vec![0.0; d], vec![0.0; d]);
    for (dgamma, dbeta) in blocks {
        add(&mut total.0, &dgamma);
        add(&mut total.1, &dbeta);
    }
    total
}

fn add(into: &mut [f32], from: &[f32]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

/// Lanes of the running sums: sums of eight interleaved parts of a row, so that the additions
/// need not wait on each other (with one running sum every addition waits for the one before).
const LANES: usize = 8;

/// One row: writes dx and adds the row's terms of dγ and dβ to `sums`.
fn row(x: &[f32], dy: &[f32], gamma: &[f32], eps: f32, dx: &mut [f32], (dgamma, dbeta): &mut (Vec<f32>, Vec<f32>)) {
    let d = x.len();
    let (dy, gamma, dx, dgamma, dbeta) = (&dy[..d], &gamma[..d], &mut dx[..d], &mut dgamma[..d], &mut dbeta[..d]);
    let n = d as f32;
    let whole = d - d % LANES;
    let mut lanes = [0.0f32; LANES];
    for part in x[..whole].chunks_exact(LANES) {
        for (lane, v) in lanes.iter_mut().zip(part) {
            *lane += v;
        }
    }
    let mean = (lanes.iter().sum::<f32>() + x[whole..].iter().sum::<f32>()) / n;
    // Σ (x − μ)² and Σ g, in one pass.
    let mut lanes = [[0.0f32; LANES]; 2];
    let parts = x[..whole].chunks_exact(LANES).zip(dy[..whole].chunks_exact(LANES));
    for ((x, dy), gamma) in parts.zip(gamma[..whole].chunks_exact(LANES)) {
        for l in 0..LANES {
            let c = x[l] - mean;
            lanes[0][l] += c * c;
            lanes[1][l] += dy[l] * gamma[l];
        }
    }
    let [mut sq, mut g_sum] = lanes.map(|l| l.iter().sum::<f32>());
    for i in whole..d {
        sq += (x[i] - mean) * (x[i] - mean);
        g_sum += dy[i] * gamma[i];
    }
    let r = 1.0 / (sq / n + eps).sqrt();
    // Σ g·x̂ (x̂ before the product, as the composed formula, so that no product of an
    // unnormalised x and g overflows), and the row's terms of dγ and dβ.
    let mut lanes = [0.0f32; LANES];
    let parts = x[..whole].chunks_exact(LANES).zip(dy[..whole].chunks_exact(LANES));
    let parts = parts.zip(gamma[..whole].chunks_exact(LANES));
    let sums = dgamma[..whole]
        .chunks_exact_mut(LANES)
        .zip(dbeta[..whole].chunks_exact_mut(LANES));
    for (((x, dy), gamma), (dgamma, dbeta)) in parts.zip(sums) {
        for l in 0..LANES {
            let xhat = (x[l] - mean) * r;
            lanes[l] += dy[l] * gamma[l] * xhat;
            dgamma[l] += dy[l] * xhat;
            dbeta[l] += dy[l];
        }
    }
    let mut gx_sum = lanes.iter().sum::<f32>();
    for i in whole..d {
        let xhat = (x[i] - mean) * r;
        gx_sum += dy[i] * gamma[i] * xhat;
        dgamma[i] += dy[i] * xhat;
        dbeta[i] += dy[i];
    }
    let (g_mean, gx_mean) = (g_sum / n, gx_sum / n);
    for i in 0..d {
        let xhat = (x[i] - mean) * r;
        dx[i] = r * (dy[i] * gamma[i] - g_mean - xhat * gx_mean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: usize = 11;

    fn values(seed: usize, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 7919 + seed * 104_729) % 1000) as f32 / 500.0 - 1.0)
            .collect()
    }

    /// The gradients by central differences of L = Σ w·LN(x) in f64, for 3 rows of width 11
    /// (a whole lane group and a remainder).
    #[test]
    fn matches_finite_differences() {
        let x = values(1, 3 * D);
        // A loss weight that follows x, so that every term of dx matters.
        let w: Vec<f32> = values(2, 3 * D).iter().zip(&x).map(|(w, x)| w + 2.0 * x).collect();
        let gamma = values(3, D);
        let eps = 1e-5;
        let mut dx = vec![0.0; 3 * D];
        let (dgamma, dbeta) = backward(&x, &w, &gamma, eps, &mut dx);
        let loss = |x: &[f64], gamma: &[f64]| -> f64 {
            x.chunks(D)
                .zip(w.chunks(D))
                .map(|(x, w)| {
                    let mean = x.iter().sum::<f64>() / D as f64;
                    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / D as f64;
                    let r = 1.0 / (var + f64::from(eps)).sqrt();
                    (0..D)
                        .map(|i| f64::from(w[i]) * (x[i] - mean) * r * gamma[i])
                        .sum::<f64>()
                })
                .sum()
        };
        let x64: Vec<f64> = x.iter().map(|&v| v.into()).collect();
        let g64: Vec<f64> = gamma.iter().map(|&v| v.into()).collect();
        let h = 1e-6;
        let nudge = |v: &[f64], i: usize, by: f64| {
            let mut v = v.to_vec();
            v[i] += by;
            v
        };
        for (i, &got) in dx.iter().enumerate() {
            let fd = (loss(&nudge(&x64, i, h), &g64) - loss(&nudge(&x64, i, -h), &g64)) / (2.0 * h);
            assert!((f64::from(got) - fd).abs() < 2e-5, "dx[{i}] {got} vs {fd}");
        }
        for i in 0..D {
            let fd = (loss(&x64, &nudge(&g64, i, h)) - loss(&x64, &nudge(&g64, i, -h))) / (2.0 * h);
            assert!(
                (f64::from(dgamma[i]) - fd).abs() < 2e-5,
                "dγ[{i}] {} vs {fd}",
                dgamma[i]
            );
            let beta: f32 = (0..3).map(|r| w[r * D + i]).sum();
            assert!((dbeta[i] - beta).abs() < 2e-5, "dβ[{i}] {} vs {beta}", dbeta[i]);
        }
    }
}
