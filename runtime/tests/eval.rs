//! The evaluation probes against independent computations: average precision and mIoU by
//! their definitions, the linear probe's loss and gradients in float64 and by finite
//! differences, kNN votes on a hand-made bank, and a linear probe that must separate
//! separable data.

use burn::tensor::{Tensor, TensorData};
use sslc_runtime::eval::knn::vote;
use sslc_runtime::eval::linear::{LinearProbe, Loss, loss_and_gradients};
use sslc_runtime::eval::metrics::{accuracy, average_precision, mean_average_precision, mean_iou};
use sslc_runtime::rng::Rng;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// AP as the area under the precision-recall steps: Σ over ranks of precision@r · Δrecall@r.
fn ap_by_area(scores: &[f32], positive: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].partial_cmp(&scores[*a]).unwrap().then(a.cmp(b)));
    let total = positive.iter().filter(|p| **p).count() as f64;
    let (mut tp, mut prev_recall, mut area) = (0.0, 0.0, 0.0);
    for (r, i) in order.iter().enumerate() {
        if positive[*i] {
            tp += 1.0;
        }
        let recall = tp / total;
        area += tp / (r + 1) as f64 * (recall - prev_recall);
        prev_recall = recall;
    }
    area
}

#[test]
fn average_precision_matches_the_area_under_the_precision_recall_steps() {
    // Ranked: 0.9 (+), 0.8 (-), 0.7 (+), 0.1 (-), 0.05 (+): AP = (1/1 + 2/3 + 3/5) / 3.
    let s = [0.8, 0.9, 0.1, 0.7, 0.05];
    let p = [false, true, false, true, true];
    let ap = average_precision(&s, &p).unwrap();
    assert!(close(ap, (1.0 + 2.0 / 3.0 + 3.0 / 5.0) / 3.0, 1e-12), "{ap}");
    let mut rng = Rng::new(5);
    for _ in 0..20 {
        let s: Vec<f32> = (0..40).map(|_| rng.f32()).collect();
        let p: Vec<bool> = (0..40).map(|_| rng.f32() < 0.3).collect();
        if let Some(ap) = average_precision(&s, &p) {
            assert!(close(ap, ap_by_area(&s, &p), 1e-9));
        }
    }
    assert_eq!(average_precision(&[0.1, 0.2], &[false, false]), None);
    // mAP skips the class without positives and averages the others.
    let scores = [0.9, 0.1, 0.0, 0.2, 0.8, 0.0];
    let targets = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
    assert_eq!(mean_average_precision(&scores, &targets, 3), 1.0);
}

#[test]
fn mean_iou_and_accuracy_count_what_they_should() {
    // Class 0: inter 1, union 3; class 1: inter 2, union 4; class 2 absent from both.
    let predicted = [0, 0, 1, 1, 1];
    let truth = [0, 1, 1, 1, 0];
    assert!(close(
        mean_iou(&predicted, &truth, 3),
        (1.0 / 3.0 + 2.0 / 4.0) / 2.0,
        1e-12
    ));
    assert_eq!(mean_iou(&truth, &truth, 3), 1.0);
    let scores = [0.1, 0.9, 0.8, 0.2, 0.3, 0.7];
    assert_eq!(accuracy(&scores, 2, &[1, 0, 0]), 2.0 / 3.0);
}

/// Rows, features and classes of the gradient check.
const N: usize = 7;
const D: usize = 5;
const C: usize = 3;

/// Float64 loss of `x·w + b` against `y`, mean over rows.
fn loss64(x: &[f64], y: &[f64], w: &[f64], b: &[f64], loss: Loss) -> f64 {
    let (n, d, c) = (N, D, C);
    let mut total = 0.0;
    for i in 0..n {
        let z: Vec<f64> = (0..c)
            .map(|k| b[k] + (0..d).map(|j| x[i * d + j] * w[j * c + k]).sum::<f64>())
            .collect();
        match loss {
            Loss::Softmax => {
                let m = z.iter().cloned().fold(f64::MIN, f64::max);
                let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                total -= (0..c).map(|k| y[i * c + k] * (z[k] - lse)).sum::<f64>();
            }
            Loss::Sigmoid => {
                for k in 0..c {
                    let s = 1.0 / (1.0 + (-z[k]).exp());
                    total -= y[i * c + k] * s.ln() + (1.0 - y[i * c + k]) * (1.0 - s).ln();
                }
            }
        }
    }
    total / n as f64
}

#[test]
fn the_linear_probe_gradient_is_the_gradient_of_its_loss() {
    let device = sslc_runtime::device::default();
    let (n, d, c) = (N, D, C);
    let mut rng = Rng::new(11);
    let mut draw = |k: usize| -> Vec<f64> { (0..k).map(|_| rng.range(-1.0, 1.0) as f64).collect() };
    let (x, w, b) = (draw(n * d), draw(d * c), draw(c));
    let labels = [0usize, 2, 1, 1, 0, 2, 2];
    let onehot: Vec<f64> = (0..n * c).map(|i| f64::from(labels[i / c] == i % c)).collect();
    let multi: Vec<f64> = draw(n * c).iter().map(|v| f64::from(*v > 0.0)).collect();
    let t = |v: &[f64], shape: [usize; 2]| {
        Tensor::<2>::from_data(
            TensorData::new(v.iter().map(|x| *x as f32).collect::<Vec<_>>(), shape),
            &device,
        )
    };
    for (loss, y) in [(Loss::Softmax, &onehot), (Loss::Sigmoid, &multi)] {
        let bt = Tensor::<1>::from_data(
            TensorData::new(b.iter().map(|x| *x as f32).collect::<Vec<_>>(), [c]),
            &device,
        );
        let (value, gw, gb) = loss_and_gradients(t(&x, [n, d]), t(y, [n, c]), t(&w, [d, c]), bt, loss);
        let want = loss64(&x, y, &w, &b, loss);
        assert!(close(value as f64, want, 1e-5), "{loss:?}: {value} vs {want}");
        let gw: Vec<f32> = gw.try_into_vec_as().unwrap();
        let gb: Vec<f32> = gb.try_into_vec_as().unwrap();
        let h = 1e-6;
        for j in 0..d * c {
            let (mut up, mut down) = (w.clone(), w.clone());
            up[j] += h;
            down[j] -= h;
            let fd = (loss64(&x, y, &up, &b, loss) - loss64(&x, y, &down, &b, loss)) / (2.0 * h);
            assert!((gw[j] as f64 - fd).abs() < 1e-5, "{loss:?} dW[{j}]: {} vs {fd}", gw[j]);
        }
        for k in 0..c {
            let (mut up, mut down) = (b.clone(), b.clone());
            up[k] += h;
            down[k] -= h;
            let fd = (loss64(&x, y, &w, &up, loss) - loss64(&x, y, &w, &down, loss)) / (2.0 * h);
            assert!((gb[k] as f64 - fd).abs() < 1e-5, "{loss:?} db[{k}]: {} vs {fd}", gb[k]);
        }
    }
}

#[test]
fn the_linear_probe_separates_separable_classes_and_not_noise() {
    let device = sslc_runtime::device::default();
    let (n, d, c) = (300, 8, 3);
    let mut rng = Rng::new(2);
    let mut rows = vec![];
    let mut labels = vec![];
    for i in 0..n {
        let label = i % c;
        // Class k sits at +3 on axis k; every axis gets unit noise and a large offset, so the
        // probe must standardise to train at this learning rate.
        for j in 0..d {
            let centre = if j == label { 3.0 } else { 0.0 };
            rows.push(100.0 + centre + rng.range(-1.0, 1.0));
        }
        labels.push(label);
    }
    let x = Tensor::<2>::from_data(TensorData::new(rows, [n, d]), &device);
    let onehot: Vec<f32> = (0..n * c)
        .map(|i| f32::from(u8::from(labels[i / c] == i % c)))
        .collect();
    let y = Tensor::<2>::from_data(TensorData::new(onehot, [n, c]), &device);
    let probe = LinearProbe::default();
    let fitted = probe.fit(x.clone().narrow(0, 0, 200), y.narrow(0, 0, 200), Loss::Softmax);
    let scores: Vec<f32> = fitted.scores(x.narrow(0, 200, 100)).try_into_vec_as().unwrap();
    assert_eq!(accuracy(&scores, c, &labels[200..]), 1.0);
    // Labels that ignore the features: held-out accuracy stays near chance.
    let noise: Vec<usize> = (0..n).map(|_| rng.below(c)).collect();
    let y = (0..n * c)
        .map(|i| f32::from(u8::from(noise[i / c] == i % c)))
        .collect::<Vec<_>>();
    let x = Tensor::<2>::from_data(
        TensorData::new((0..n * d).map(|_| rng.f32()).collect::<Vec<_>>(), [n, d]),
        &device,
    );
    let y = Tensor::<2>::from_data(TensorData::new(y, [n, c]), &device);
    let fitted = probe.fit(x.clone().narrow(0, 0, 200), y.narrow(0, 0, 200), Loss::Softmax);
    let scores: Vec<f32> = fitted.scores(x.narrow(0, 200, 100)).try_into_vec_as().unwrap();
    assert!(accuracy(&scores, c, &noise[200..]) < 0.55);
}

#[test]
fn knn_votes_weigh_neighbours_by_similarity_for_each_k() {
    let device = sslc_runtime::device::default();
    // Bank: one class-0 point right next to the query, three class-1 points a little further.
    let bank = [[1.0, 0.0], [0.9, 0.5], [0.9, -0.5], [0.8, 0.6]];
    let flat: Vec<f32> = bank.iter().flatten().copied().collect();
    let bank = Tensor::<2>::from_data(TensorData::new(flat, [4, 2]), &device);
    let query = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.02], [1, 2]), &device);
    let labels = [0, 1, 1, 1];
    // k = 1: the nearest alone. k = 4 at a high temperature: three class-1 votes outweigh one.
    // k = 4 at a low temperature: the nearest one's exp(cos/τ) dominates.
    let acc = vote(bank.clone(), query.clone(), &labels, &[0], 2, &[1, 4], 10.0).unwrap();
    assert_eq!(acc, vec![1.0, 0.0]);
    let acc = vote(bank, query, &labels, &[0], 2, &[4], 0.01).unwrap();
    assert_eq!(acc, vec![1.0]);
}
