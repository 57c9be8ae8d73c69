//! The k-nearest-neighbour probe: frozen features of training images form the bank, held-out
//! images vote by cosine similarity, each neighbour weighted by exp(sim / temperature).

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use sslc_compiler::value::Config;

use crate::config::{int, num, text};
use crate::data::Scene;
use crate::error::RunError;
use crate::exec::ops::l2norm;
use crate::exec::views::full_images;
use crate::nets::Net;
use crate::weights::Weights;

/// Settings of a kNN probe.
#[derive(Clone, Debug)]
pub struct Knn {
    pub branch: String,
    pub net: String,
    pub k: usize,
    pub temperature: f64,
    pub images: usize,
}

impl Knn {
    pub fn from_config(cfg: &Config) -> Result<Knn, RunError> {
        let name = text(cfg, "network")?;
        let (branch, net) = name
            .split_once('.')
            .ok_or_else(|| RunError::Internal(format!("probe network `{name}` is not `branch.net`")))?;
        Ok(Knn {
            branch: branch.into(),
            net: net.into(),
            k: int(cfg, "k")?.max(1),
            temperature: num(cfg, "temperature")?,
            images: int(cfg, "images")?.max(1),
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
        let net = weights.get(&self.branch, &self.net)?.valid();
        let bank = &bank[..self.images.min(bank.len())];
        let (fb, fq) = (features(&net, bank, device)?, features(&net, queries, device)?);
        self.vote(fb, fq, bank, queries, classes)
    }

    /// The same probe on raw pixels (each image flattened and L2-normalised): the baseline
    /// that needs no network at all.
    pub fn run_on_pixels(
        &self,
        bank: &[Scene],
        queries: &[Scene],
        classes: usize,
        device: &Device,
    ) -> Result<f64, RunError> {
        let bank = &bank[..self.images.min(bank.len())];
        let plain = device.clone().inner();
        let pixels = |scenes: &[Scene]| -> Result<Tensor<2>, RunError> {
            let parts = full_images(scenes, &plain)
                .map(|x| x.map(|x| x.flatten::<2>(1, 3)))
                .collect::<Result<Vec<_>, RunError>>()?;
            Ok(l2norm(Tensor::cat(parts, 0)))
        };
        self.vote(pixels(bank)?, pixels(queries)?, bank, queries, classes)
    }

    /// Temperature-weighted votes of the `k` most similar bank rows for every query row.
    fn vote(
        &self,
        fb: Tensor<2>,
        fq: Tensor<2>,
        bank: &[Scene],
        queries: &[Scene],
        classes: usize,
    ) -> Result<f64, RunError> {
        let sims: Vec<f32> = fq
            .matmul(fb.transpose())
            .try_into_vec_as::<f32>()
            .map_err(|e| RunError::Internal(format!("reading similarities: {e:?}")))?;
        let n = bank.len();
        let k = self.k.min(n);
        let mut correct = 0usize;
        for (q, scene) in queries.iter().enumerate() {
            let row = &sims[q * n..(q + 1) * n];
            let mut order: Vec<usize> = (0..n).collect();
            order.select_nth_unstable_by(k - 1, |a, b| row[*b].total_cmp(&row[*a]));
            let mut votes = vec![0.0f64; classes];
            for &j in &order[..k] {
                votes[bank[j].label] += ((row[j] as f64) / self.temperature).exp();
            }
            let best = (0..classes).max_by(|a, b| votes[*a].total_cmp(&votes[*b])).unwrap_or(0);
            correct += usize::from(best == scene.label);
        }
        Ok(correct as f64 / queries.len().max(1) as f64)
    }
}

/// L2-normalised features of full images, `[images, dim]`, without autodiff.
fn features(net: &Net, scenes: &[Scene], device: &Device) -> Result<Tensor<2>, RunError> {
    let plain = device.clone().inner();
    let parts = full_images(scenes, &plain)
        .map(|x| net.features(x?))
        .collect::<Result<Vec<_>, RunError>>()?;
    Ok(l2norm(Tensor::cat(parts, 0)))
}
