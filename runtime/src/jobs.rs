//! Periodic non-differentiable jobs. `kmeans_segments` (CYBORGS): cluster the online network's
//! L2-normalised dense features of every training image with k-means and replace the image's
//! segment map with the labels, upsampled by nearest neighbour.

use burn::module::Module;
use burn::tensor::Device;
use rayon::prelude::*;
use sslc_compiler::plan::JobKind;
use sslc_compiler::plan::settings::SegmentsInit;

use crate::data::Scene;
use crate::data::superpixels::slic;
use crate::error::RunError;
use crate::exec::tokens;
use crate::exec::views::full_images;
use crate::nets::Pass;
use crate::rng::Rng;
use crate::tensor::l2norm;
use crate::val::Val;
use crate::weights::Weights;

/// A k-means segment refresh, as configured.
#[derive(Clone, Debug)]
pub struct KmeansSegments {
    pub name: String,
    pub branch: String,
    pub net: String,
    pub every: u64,
    pub k: (usize, usize),
    pub iters: usize,
    /// Maps before the first refresh: the scenes' own, k-means on the untrained network's
    /// features, or SLIC superpixels.
    pub init: SegmentsInit,
}

impl KmeansSegments {
    /// The job `name` the plan declares.
    pub fn new(name: &str, job: &JobKind) -> Self {
        match job {
            JobKind::KmeansSegments(j) => KmeansSegments {
                name: name.into(),
                branch: j.network.branch.clone(),
                net: j.network.net.clone(),
                every: j.every.max(1) as u64,
                k: (j.k.0 as usize, j.k.1.max(j.k.0) as usize),
                iters: j.iters,
                init: j.init,
            },
        }
    }

    /// Whether the job runs before the steps of `epoch`.
    pub fn due(&self, epoch: u64) -> bool {
        if epoch == 0 {
            self.init != SegmentsInit::Scenes
        } else {
            epoch.is_multiple_of(self.every)
        }
    }

    /// Replaces every scene's segment map; returns a line for the log.
    pub fn run(
        &self,
        weights: &Weights,
        scenes: &mut [Scene],
        seed: u64,
        epoch: u64,
        device: &Device,
    ) -> Result<String, RunError> {
        if epoch == 0 && self.init == SegmentsInit::Superpixels {
            return Ok(self.superpixels(scenes));
        }
        let net = weights.named(&self.branch, &self.net)?.valid();
        let plain = device.clone().inner();
        let mut features = vec![];
        for x in full_images(scenes, &plain) {
            let tokens = net.forward(Val::Images(x?), None, Pass::Infer)?.tokens()?;
            let (grid, g) = tokens::grid(tokens);
            let [n, _, d] = grid.dims();
            let grid = l2norm(grid);
            let v: Vec<f32> = grid
                .try_into_vec_as()
                .map_err(|e| RunError::Internal(format!("reading features: {e:?}")))?;
            for i in 0..n {
                features.push((v[i * g * g * d..(i + 1) * g * g * d].to_vec(), g, d));
            }
        }
        let (lo, hi) = self.k;
        scenes
            .par_iter_mut()
            .zip(features.into_par_iter())
            .enumerate()
            .for_each(|(i, (scene, (f, g, d)))| {
                let mut rng = Rng::derive(seed, 0x4B4D_0000 + epoch, i as u64);
                let k = lo + rng.below(hi - lo + 1);
                let labels = kmeans(&f, g * g, d, k, self.iters, &mut rng);
                let (h, w) = (scene.image.h, scene.image.w);
                scene.segments = (0..h * w)
                    .map(|p| labels[(p / w) * g / h * g + (p % w) * g / w])
                    .collect();
            });
        Ok(format!(
            "job {}: segment maps of {} images refreshed by k-means (K in {lo}..={hi}, {} iterations)",
            self.name,
            scenes.len(),
            self.iters
        ))
    }

    /// The initial maps: SLIC superpixels, as many as the upper end of `k` (10 rounds).
    fn superpixels(&self, scenes: &mut [Scene]) -> String {
        let k = self.k.1;
        scenes
            .par_iter_mut()
            .for_each(|scene| scene.segments = slic(&scene.image, k, 10, 0.5));
        format!(
            "job {}: segment maps of {} images initialised as about {k} SLIC superpixels",
            self.name,
            scenes.len()
        )
    }
}

/// Lloyd's k-means of `n` points of width `d` into `k` clusters (distinct random points as
/// seeds); returns each point's cluster.
pub fn kmeans(points: &[f32], n: usize, d: usize, k: usize, iters: usize, rng: &mut Rng) -> Vec<u8> {
    let k = k.clamp(1, n.max(1)).min(255);
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + rng.below(n - i);
        order.swap(i, j);
    }
    let mut centres: Vec<Vec<f32>> = order[..k].iter().map(|i| points[i * d..(i + 1) * d].to_vec()).collect();
    let mut labels = vec![0u8; n];
    for _ in 0..iters.max(1) {
        for (p, label) in labels.iter_mut().enumerate() {
            let x = &points[p * d..(p + 1) * d];
            let dist = |c: &Vec<f32>| c.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum::<f32>();
            *label = (0..k)
                .min_by(|a, b| dist(&centres[*a]).total_cmp(&dist(&centres[*b])))
                .unwrap_or(0) as u8;
        }
        let mut sums = vec![vec![0f32; d]; k];
        let mut counts = vec![0usize; k];
        for (p, label) in labels.iter().enumerate() {
            counts[*label as usize] += 1;
            for (s, x) in sums[*label as usize].iter_mut().zip(&points[p * d..(p + 1) * d]) {
                *s += x;
            }
        }
        for c in 0..k {
            if counts[c] > 0 {
                centres[c] = sums[c].iter().map(|s| s / counts[c] as f32).collect();
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_separated_groups_get_two_labels() {
        let points = [0.0f32, 0.0, 0.1, 0.0, 0.0, 0.1, 5.0, 5.0, 5.1, 5.0, 5.0, 5.1];
        let labels = kmeans(&points, 6, 2, 2, 10, &mut Rng::new(1));
        assert!(labels[0] == labels[1] && labels[1] == labels[2]);
        assert!(labels[3] == labels[4] && labels[4] == labels[5]);
        assert_ne!(labels[0], labels[3]);
    }
}
