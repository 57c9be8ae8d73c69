//! The k-nearest-neighbour probe: frozen features of training images form the bank, held-out
//! images vote by cosine similarity, each neighbour weighted by exp(sim / temperature).

use burn::tensor::{Device, Tensor};
use sslc_compiler::plan::{Plan, ProbeKind};

use super::features::Features;
use super::probed::Target;
use crate::data::Scene;
use crate::error::RunError;
use crate::tensor::l2norm;
use crate::weights::Weights;

/// Settings of a kNN probe.
#[derive(Clone, Debug)]
pub struct Knn {
    /// What it probes: a network, or a value of the recipe.
    pub target: std::sync::Arc<Target>,
    pub k: usize,
    pub temperature: f64,
    pub images: usize,
}

impl Knn {
    /// The probe `plan` declares, `probe`.
    pub fn new(plan: &Plan, probe: &ProbeKind) -> Result<Knn, RunError> {
        let ProbeKind::Knn(p) = probe;
        Ok(Knn {
            target: std::sync::Arc::new(Target::new(plan, probe)?),
            k: p.k.max(1),
            temperature: p.temperature,
            images: p.images.max(1),
        })
    }

    /// Accuracy on `queries` with the first `images` of `bank` as neighbours, on the features of
    /// the probed network.
    pub fn run(
        &self,
        weights: &Weights,
        bank: &[Scene],
        queries: &[Scene],
        classes: usize,
        device: &Device,
    ) -> Result<f64, RunError> {
        self.target
            .with(weights, |features| self.on(features, bank, queries, classes, device))
    }

    /// The same probe on raw pixels (each image flattened): the baseline that needs no network.
    pub fn run_on_pixels(
        &self,
        bank: &[Scene],
        queries: &[Scene],
        classes: usize,
        device: &Device,
    ) -> Result<f64, RunError> {
        self.on(Features::Pixels, bank, queries, classes, device)
    }

    fn on(
        &self,
        features: Features<'_>,
        bank: &[Scene],
        queries: &[Scene],
        classes: usize,
        device: &Device,
    ) -> Result<f64, RunError> {
        let bank = &bank[..self.images.min(bank.len())];
        let (fb, fq) = (features.global(bank, device)?, features.global(queries, device)?);
        let labels = |s: &[Scene]| s.iter().map(|s| s.label).collect::<Vec<_>>();
        vote(
            fb,
            fq,
            &labels(bank),
            &labels(queries),
            classes,
            &[self.k],
            self.temperature,
        )
        .map(|accs| accs[0])
    }
}

/// Top-1 accuracy of temperature-weighted votes (exp(cos / temperature)) of the `k` most
/// similar bank rows, for each `k` of `ks`, over every query row. Rows need not be normalised.
pub fn vote(
    bank: Tensor<2>,
    queries: Tensor<2>,
    bank_labels: &[usize],
    query_labels: &[usize],
    classes: usize,
    ks: &[usize],
    temperature: f64,
) -> Result<Vec<f64>, RunError> {
    let sims: Vec<f32> = l2norm(queries)
        .matmul(l2norm(bank).transpose())
        .try_into_vec_as::<f32>()
        .map_err(|e| RunError::Internal(format!("reading similarities: {e:?}")))?;
    let n = bank_labels.len();
    let mut correct = vec![0usize; ks.len()];
    let kmax = ks.iter().copied().max().unwrap_or(1).clamp(1, n.max(1));
    for (q, label) in query_labels.iter().enumerate() {
        let row = &sims[q * n..(q + 1) * n];
        let mut order: Vec<usize> = (0..n).collect();
        order.select_nth_unstable_by(kmax - 1, |a, b| row[*b].total_cmp(&row[*a]));
        order[..kmax].sort_by(|a, b| row[*b].total_cmp(&row[*a]).then(a.cmp(b)));
        for (slot, k) in ks.iter().enumerate() {
            let mut votes = vec![0.0f64; classes];
            for &j in &order[..(*k).clamp(1, kmax)] {
                votes[bank_labels[j]] += ((row[j] as f64) / temperature).exp();
            }
            let best = (0..classes).max_by(|a, b| votes[*a].total_cmp(&votes[*b])).unwrap_or(0);
            correct[slot] += usize::from(best == *label);
        }
    }
    Ok(correct
        .into_iter()
        .map(|c| c as f64 / query_labels.len().max(1) as f64)
        .collect())
}
