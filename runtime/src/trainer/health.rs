//! What a run checks about itself at the log interval: the measures of collapse, and whether
//! every rank holds the same weights.

use super::Trainer;
use crate::error::RunError;

impl Trainer {
    /// The held-out images whose probed features show collapse.
    const HEALTH_IMAGES: usize = 64;

    /// The measures of collapse after this step's update: the teacher entropies its losses
    /// reported, and (on rank 0) the probed features' spread on the first held-out images.
    pub(super) fn health(&self) -> Result<crate::eval::collapse::Health, RunError> {
        use crate::eval::collapse::{Health, Spread, Teacher};
        let seen = self.program.observations.take();
        let mut teachers = vec![];
        for (i, name, value) in &seen {
            if *name != "teacher_entropy" {
                continue;
            }
            let get = |n: &str| seen.iter().find(|(j, m, _)| j == i && *m == n).map(|(_, _, v)| *v);
            let term = self
                .plan
                .losses
                .iter()
                .find(|l| l.slot == self.plan.steps[*i].output)
                .map_or_else(|| format!("${i}"), |l| l.name.clone());
            teachers.push(Teacher {
                term,
                entropy: *value,
                mean_entropy: get("teacher_mean_entropy").unwrap_or(f64::NAN),
                classes: get("teacher_classes").map_or(0, |k| k as usize),
            });
        }
        let spread = match &self.knn {
            Some(knn) if crate::dist::writes() => {
                let images = &self.data.holdout[..Self::HEALTH_IMAGES.min(self.data.holdout.len())];
                let features = knn.target.with(&self.weights, |f| f.global(images, &self.device))?;
                let d = features.dims()[1];
                let rows: Vec<f32> = features
                    .try_into_vec_as()
                    .map_err(|e| RunError::Internal(format!("reading the probed features: {e:?}")))?;
                Some(Spread::of(&rows, d))
            }
            _ => None,
        };
        Ok(Health { spread, teachers })
    }

    /// Whether every rank holds the same weights: the sum of every trainable parameter, compared
    /// across ranks (alone, always). A run whose ranks drifted apart is stopped, naming the step.
    pub fn replicas_agree(&self) -> Result<(), RunError> {
        if crate::dist::world().is_none() {
            return Ok(());
        }
        let sum: f64 = self
            .weights
            .trainable
            .iter()
            .flat_map(crate::weights::flat_params)
            .map(f64::from)
            .sum();
        let all = crate::dist::gather_host(sum)?;
        if all.iter().any(|v| v.to_bits() != sum.to_bits()) {
            let listed: Vec<String> = all.iter().enumerate().map(|(r, v)| format!("rank {r}: {v}")).collect();
            return Err(RunError::Distributed(format!(
                "the ranks' weights differ after step {} ({})",
                self.step,
                listed.join(", ")
            )));
        }
        Ok(())
    }
}
