//! The scores probes report: top-1 accuracy, mean average precision over classes, and mean
//! intersection-over-union over the classes of a dense labelling.

/// Fraction of rows whose highest score is at their label's column.
pub fn accuracy(scores: &[f32], classes: usize, labels: &[usize]) -> f64 {
    let correct = labels
        .iter()
        .enumerate()
        .filter(|(i, label)| argmax(&scores[i * classes..(i + 1) * classes]) == **label)
        .count();
    correct as f64 / labels.len().max(1) as f64
}

/// Index of the largest value (the first of equals).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in row.iter().enumerate() {
        if *v > row[best] {
            best = i;
        }
    }
    best
}

/// Average precision of one class: the mean, over its positives, of the precision among the
/// rows ranked at or above each positive (ties broken by row order). `None` without positives.
pub fn average_precision(scores: &[f32], positive: &[bool]) -> Option<f64> {
    let total = positive.iter().filter(|p| **p).count();
    if total == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    let (mut hits, mut sum) = (0usize, 0.0f64);
    for (rank, i) in order.iter().enumerate() {
        if positive[*i] {
            hits += 1;
            sum += hits as f64 / (rank + 1) as f64;
        }
    }
    Some(sum / total as f64)
}

/// Mean over classes (those with a positive) of the average precision of `scores`
/// (`[rows, classes]`) against multi-hot `targets` of the same layout.
pub fn mean_average_precision(scores: &[f32], targets: &[f32], classes: usize) -> f64 {
    let rows = scores.len() / classes.max(1);
    let aps: Vec<f64> = (0..classes)
        .filter_map(|c| {
            let s: Vec<f32> = (0..rows).map(|r| scores[r * classes + c]).collect();
            let p: Vec<bool> = (0..rows).map(|r| targets[r * classes + c] > 0.5).collect();
            average_precision(&s, &p)
        })
        .collect();
    aps.iter().sum::<f64>() / aps.len().max(1) as f64
}

/// Mean IoU of predicted against true labels in `0..classes`, over the classes that occur in
/// either (a class neither predicts nor contains does not count).
pub fn mean_iou(predicted: &[usize], truth: &[usize], classes: usize) -> f64 {
    let mut inter = vec![0usize; classes];
    let mut union = vec![0usize; classes];
    for (p, t) in predicted.iter().zip(truth) {
        if p == t {
            inter[*p] += 1;
            union[*p] += 1;
        } else {
            union[*p] += 1;
            union[*t] += 1;
        }
    }
    let ious: Vec<f64> = (0..classes)
        .filter(|c| union[*c] > 0)
        .map(|c| inter[c] as f64 / union[c] as f64)
        .collect();
    ious.iter().sum::<f64>() / ious.len().max(1) as f64
}
