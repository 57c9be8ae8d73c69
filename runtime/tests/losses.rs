//! Every loss against an independent float64 computation of its formula on random inputs, and
//! its autodiff gradient against central finite differences of that float64 formula.

use burn::tensor::{Device, Tensor, TensorData};
use sslc_runtime::exec::losses;
use sslc_runtime::rng::Rng;

type Mat = Vec<Vec<f64>>;

fn random(rows: usize, cols: usize, rng: &mut Rng) -> Mat {
    (0..rows)
        .map(|_| (0..cols).map(|_| rng.normal() as f64).collect())
        .collect()
}

fn tensor(m: &Mat, device: &Device) -> Tensor<2> {
    let (r, c) = (m.len(), m[0].len());
    let flat: Vec<f32> = m.iter().flatten().map(|v| *v as f32).collect();
    Tensor::from_data(TensorData::new(flat, [r, c]), device)
}

fn cos(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

// The formulas, written out in float64.

fn ref_neg_cosine(a: &Mat, b: &Mat) -> f64 {
    -a.iter().zip(b).map(|(x, y)| cos(x, y)).sum::<f64>() / a.len() as f64
}

fn ref_cosine_distance(a: &Mat, b: &Mat) -> f64 {
    a.iter().zip(b).map(|(x, y)| 2.0 - 2.0 * cos(x, y)).sum::<f64>() / a.len() as f64
}

fn ref_info_nce(a: &Mat, b: &Mat, t: f64) -> f64 {
    let n = a.len();
    let mut total = 0.0;
    for i in 0..n {
        let logits: Vec<f64> = (0..n).map(|j| cos(&a[i], &b[j]) / t).collect();
        let max = logits.iter().cloned().fold(f64::MIN, f64::max);
        let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
        total += lse - logits[i];
    }
    total / n as f64
}

fn ref_mean_entropy(x: &Mat, t: f64) -> f64 {
    let k = x[0].len();
    let mut mean = vec![0.0; k];
    for row in x {
        let max = row.iter().cloned().fold(f64::MIN, f64::max);
        let e: Vec<f64> = row.iter().map(|v| ((v - max) / t).exp()).collect();
        let z: f64 = e.iter().sum();
        for (m, v) in mean.iter_mut().zip(e) {
            *m += v / z / x.len() as f64;
        }
    }
    mean.iter().map(|p| p * p.ln()).sum::<f64>() + (k as f64).ln()
}

/// Checks value and gradient with respect to the first argument.
fn check(
    name: &str,
    a: &Mat,
    b: &Mat,
    reference: impl Fn(&Mat, &Mat) -> f64,
    burn_loss: impl Fn(Tensor<2>, Tensor<2>) -> Tensor<1>,
) {
    let device = sslc_runtime::device::default().autodiff();
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

#[test]
fn neg_cosine_matches_its_formula() {
    let mut rng = Rng::new(1);
    let (a, b) = (random(6, 5, &mut rng), random(6, 5, &mut rng));
    check("neg_cosine", &a, &b, ref_neg_cosine, losses::neg_cosine);
}

#[test]
fn cosine_distance_matches_its_formula() {
    let mut rng = Rng::new(2);
    let (a, b) = (random(6, 5, &mut rng), random(6, 5, &mut rng));
    check("cosine_distance", &a, &b, ref_cosine_distance, losses::cosine_distance);
}

#[test]
fn info_nce_matches_its_formula() {
    let mut rng = Rng::new(3);
    let (a, b) = (random(7, 4, &mut rng), random(7, 4, &mut rng));
    check(
        "info_nce",
        &a,
        &b,
        |a, b| ref_info_nce(a, b, 0.2),
        |a, b| losses::info_nce(a, b, 0.2),
    );
}

#[test]
fn mean_entropy_matches_its_formula() {
    let mut rng = Rng::new(4);
    let x = random(8, 6, &mut rng);
    check(
        "mean_entropy",
        &x,
        &x,
        |x, _| ref_mean_entropy(x, 0.5),
        |x, _| losses::mean_entropy(x, 0.5),
    );
}

#[test]
fn mse_matches_its_formula() {
    let mut rng = Rng::new(5);
    let (a, b) = (random(3, 4, &mut rng), random(3, 4, &mut rng));
    let reference = |a: &Mat, b: &Mat| {
        let d: Vec<f64> = a
            .iter()
            .flatten()
            .zip(b.iter().flatten())
            .map(|(x, y)| (x - y).powi(2))
            .collect();
        d.iter().sum::<f64>() / d.len() as f64
    };
    check("mse", &a, &b, reference, |a, b| {
        losses::mse(a.flatten(0, 1), b.flatten(0, 1))
    });
}

#[test]
fn masked_l1_matches_its_formula() {
    let mut rng = Rng::new(6);
    let (p, t) = (random(6, 4, &mut rng), random(6, 4, &mut rng));
    let masked = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
    let reference = |p: &Mat, t: &Mat| {
        let mut sum = 0.0;
        for (i, m) in masked.iter().enumerate() {
            sum += m * p[i].iter().zip(&t[i]).map(|(a, b)| (a - b).abs()).sum::<f64>();
        }
        sum / (masked.iter().sum::<f64>() * 4.0)
    };
    let device = sslc_runtime::device::default().autodiff();
    let m = Tensor::<2>::from_data(TensorData::new(masked.map(|v| v as f32).to_vec(), [1, 6]), &device);
    check("masked_l1", &p, &t, reference, |p, t| {
        losses::masked_l1(p.unsqueeze_dim(0), t.unsqueeze_dim(0), m.clone())
    });
}

#[test]
fn bce_matches_its_formula() {
    let mut rng = Rng::new(7);
    let logits = random(5, 3, &mut rng);
    let labels: Mat = (0..5).map(|i| (0..3).map(|j| ((i + j) % 2) as f64).collect()).collect();
    let reference = |x: &Mat, y: &Mat| {
        let mut sum = 0.0;
        for (xr, yr) in x.iter().zip(y) {
            for (x, y) in xr.iter().zip(yr) {
                let p = 1.0 / (1.0 + (-x).exp());
                sum -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
            }
        }
        sum / 15.0
    };
    check("bce", &logits, &labels, reference, losses::bce);
}

fn softmax_row(r: &[f64], t: f64) -> Vec<f64> {
    let max = r.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = r.iter().map(|v| ((v - max) / t).exp()).collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|v| v / z).collect()
}

#[test]
fn soft_ce_matches_its_formula_and_only_the_student_learns() {
    let mut rng = Rng::new(8);
    let (a, b) = (random(5, 6, &mut rng), random(5, 6, &mut rng));
    let reference = |a: &Mat, b: &Mat| {
        let mut sum = 0.0;
        for (ar, br) in a.iter().zip(b) {
            let q = softmax_row(br, 0.04);
            let p = softmax_row(ar, 0.1);
            sum -= q.iter().zip(&p).map(|(q, p)| q * p.ln()).sum::<f64>();
        }
        sum / a.len() as f64
    };
    check("soft_ce", &a, &b, reference, |a, b| losses::soft_ce(a, b, 0.1, 0.04));
    // The teacher side is detached inside the loss.
    let device = sslc_runtime::device::default().autodiff();
    let tb = tensor(&b, &device).require_grad();
    let grads = losses::soft_ce(tensor(&a, &device).require_grad(), tb.clone(), 0.1, 0.04).backward();
    assert!(tb.grad(&grads).is_none(), "the teacher received a gradient");
}

#[test]
fn unigrad_matches_its_formula() {
    let mut rng = Rng::new(9);
    let (a, b) = (random(6, 4, &mut rng), random(6, 4, &mut rng));
    let reference = |a: &Mat, b: &Mat| {
        let (n, d) = (a.len() as f64, a[0].len());
        let mut f = vec![vec![0.0; d]; d];
        for row in b {
            for i in 0..d {
                for j in 0..d {
                    f[i][j] += row[i] * row[j] / n;
                }
            }
        }
        let mut align = 0.0;
        let mut spread = 0.0;
        for (ar, br) in a.iter().zip(b) {
            align += ar.iter().zip(br).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / n;
            for i in 0..d {
                for j in 0..d {
                    spread += ar[i] * f[i][j] * ar[j] / n;
                }
            }
        }
        (align + 0.02 * spread) / d as f64
    };
    check("unigrad", &a, &b, reference, |a, b| losses::unigrad(a, b, 0.02));
}

fn unit(v: &[f64]) -> Vec<f64> {
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| x / n).collect()
}

fn ref_detcon_one(p: &Mat, other: &Mat, same: &Mat, mine: &[(usize, i64)], theirs: &[(usize, i64)], t: f64) -> f64 {
    let dot = |a: &[f64], b: &[f64]| unit(a).iter().zip(unit(b)).map(|(x, y)| x * y).sum::<f64>();
    let mut total = 0.0;
    let mut rows = 0;
    for (i, a) in mine.iter().enumerate() {
        let mut logits: Vec<f64> = other.iter().map(|o| dot(&p[i], o) / t).collect();
        for (j, b) in mine.iter().enumerate() {
            logits.push(if a == b {
                f64::NEG_INFINITY
            } else {
                dot(&p[i], &same[j]) / t
            });
        }
        let max = logits.iter().cloned().fold(f64::MIN, f64::max);
        let lse = max + logits.iter().map(|l| (l - max).exp()).sum::<f64>().ln();
        let positives: Vec<usize> = (0..theirs.len()).filter(|j| theirs[*j] == *a).collect();
        if positives.is_empty() {
            continue;
        }
        rows += 1;
        total -= positives.iter().map(|j| logits[*j] - lse).sum::<f64>() / positives.len() as f64;
    }
    total / rows as f64
}

#[test]
fn detcon_matches_its_formula() {
    let mut rng = Rng::new(10);
    let (pa, pb, ta, tb) = (
        random(4, 3, &mut rng),
        random(4, 3, &mut rng),
        random(4, 3, &mut rng),
        random(4, 3, &mut rng),
    );
    let oa = [(0usize, 1i64), (0, 2), (1, 1), (1, 1)];
    let ob = [(0usize, 1i64), (0, 3), (1, 1), (1, 2)];
    let reference =
        |pa: &Mat, _: &Mat| ref_detcon_one(pa, &tb, &ta, &oa, &ob, 0.1) + ref_detcon_one(&pb, &ta, &tb, &ob, &oa, 0.1);
    let device = sslc_runtime::device::default().autodiff();
    let (tpb, tta, ttb) = (tensor(&pb, &device), tensor(&ta, &device), tensor(&tb, &device));
    check("detcon", &pa, &pa, reference, |a, _| {
        losses::detcon(a, tpb.clone(), tta.clone(), ttb.clone(), &oa, &ob, 0.1)
    });
}

#[test]
fn asl_matches_its_formula() {
    let mut rng = Rng::new(11);
    let logits = random(5, 4, &mut rng);
    let labels: Mat = (0..5)
        .map(|i| (0..4).map(|j| ((i * 3 + j) % 3 == 0) as u8 as f64).collect())
        .collect();
    let (gp, gn, clip) = (1.0, 4.0, 0.05);
    let reference = |x: &Mat, y: &Mat| {
        let mut sum = 0.0;
        for (xr, yr) in x.iter().zip(y) {
            for (x, y) in xr.iter().zip(yr) {
                let p = 1.0 / (1.0 + (-x).exp());
                let pm = (p - clip).max(0.0);
                sum -= y * (1.0 - p).powf(gp) * p.ln() + (1.0 - y) * pm.powf(gn) * (1.0 - pm).ln();
            }
        }
        sum / x.len() as f64
    };
    check("asl", &logits, &labels, reference, |x, y| {
        losses::asl(x, y, gp as f32, gn as f32, clip as f32)
    });
}

/// Columns standardised over rows in float64 (biased variance, ε as the runtime's).
fn standardised(x: &Mat) -> Mat {
    let (n, d) = (x.len() as f64, x[0].len());
    let mut out = x.clone();
    for j in 0..d {
        let mean = x.iter().map(|r| r[j]).sum::<f64>() / n;
        let var = x.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
        for (o, r) in out.iter_mut().zip(x) {
            o[j] = (r[j] - mean) / (var + 1e-5).sqrt();
        }
    }
    out
}

#[test]
fn barlow_twins_matches_its_formula() {
    let mut rng = Rng::new(12);
    let (a, b) = (random(8, 3, &mut rng), random(8, 3, &mut rng));
    let reference = |a: &Mat, b: &Mat| {
        let (za, zb) = (standardised(a), standardised(b));
        let (n, d) = (a.len() as f64, a[0].len());
        let mut loss = 0.0;
        for i in 0..d {
            for j in 0..d {
                let c = za.iter().zip(&zb).map(|(x, y)| x[i] * y[j]).sum::<f64>() / n;
                loss += if i == j { (1.0 - c).powi(2) } else { 0.005 * c * c };
            }
        }
        loss
    };
    check("barlow_twins", &a, &b, reference, |a, b| {
        losses::barlow_twins(a, b, 0.005)
    });
}

#[test]
fn vicreg_matches_its_formula() {
    let mut rng = Rng::new(13);
    let (a, mut b) = (random(7, 3, &mut rng), random(7, 3, &mut rng));
    // Narrow one column so the variance hinge is active for it.
    for r in b.iter_mut() {
        r[1] *= 0.3;
    }
    let spread = |x: &Mat| {
        let (n, d) = (x.len() as f64, x[0].len());
        let means: Vec<f64> = (0..d).map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n).collect();
        let cov = |i: usize, j: usize| x.iter().map(|r| (r[i] - means[i]) * (r[j] - means[j])).sum::<f64>() / (n - 1.0);
        let hinge = (0..d).map(|j| (1.0 - (cov(j, j) + 1e-4).sqrt()).max(0.0)).sum::<f64>() / d as f64;
        let mut off = 0.0;
        for i in 0..d {
            for j in (0..d).filter(|j| *j != i) {
                off += cov(i, j).powi(2);
            }
        }
        (hinge, off / d as f64)
    };
    let reference = |a: &Mat, b: &Mat| {
        let cells = (a.len() * a[0].len()) as f64;
        let inv = a
            .iter()
            .flatten()
            .zip(b.iter().flatten())
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            / cells;
        let ((va, ca), (vb, cb)) = (spread(a), spread(b));
        25.0 * inv + 25.0 * (va + vb) / 2.0 + (ca + cb)
    };
    check("vicreg", &a, &b, reference, |a, b| {
        losses::vicreg(a, b, 25.0, 25.0, 1.0)
    });
}

#[test]
fn masked_mse_matches_its_formula() {
    let mut rng = Rng::new(14);
    let (p, t) = (random(5, 3, &mut rng), random(5, 3, &mut rng));
    let masked = [0.0, 1.0, 1.0, 0.0, 1.0];
    let reference = |p: &Mat, t: &Mat| {
        let mut sum = 0.0;
        for (i, m) in masked.iter().enumerate() {
            sum += m * p[i].iter().zip(&t[i]).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
        }
        sum / (masked.iter().sum::<f64>() * 3.0)
    };
    let device = sslc_runtime::device::default().autodiff();
    let m = Tensor::<2>::from_data(TensorData::new(masked.map(|v| v as f32).to_vec(), [1, 5]), &device);
    check("masked_mse", &p, &t, reference, |p, t| {
        losses::masked_mse(p.unsqueeze_dim(0), t.unsqueeze_dim(0), m.clone())
    });
}
