//! An evaluation suite for one plan: its own fresh copy of the data (periodic jobs may rewrite
//! the training set's maps), the baselines computed once (raw pixels, and the network as
//! seeded before training), then a report for any weights of the plan.

use burn::tensor::Device;
use sslc_compiler::plan::Plan;

use super::features::Features;
use super::knn::Knn;
use super::{Eval, Report, Row};
use crate::data::Dataset;
use crate::error::RunError;
use crate::weights::Weights;

/// The names of a report's rows: the two baselines, then the trained network.
const PIXELS: &str = "raw pixels";
const UNTRAINED: &str = "untrained";
const TRAINED: &str = "trained";

/// Baselines and data for evaluating a plan's probed network.
pub struct Suite {
    pub eval: Eval,
    probe: Knn,
    data: Dataset,
    grid: Option<usize>,
    baselines: Vec<Row>,
}

impl Suite {
    /// Prepares the suite for `plan`, whose `train.probe` names the network to evaluate; the
    /// probe's temperature and bank size replace those of `eval`, and its k joins `eval`'s, so
    /// that every report holds the recipe's own probe figure.
    pub fn new(plan: &Plan, mut eval: Eval, device: &Device) -> Result<Suite, RunError> {
        let cfg = plan.train.probe.as_ref().ok_or_else(|| RunError::Data {
            path: "the recipe".into(),
            problem: "declares no probe network to evaluate; add `probe = knn(online.backbone)` to `train`".into(),
        })?;
        let probe = Knn::new(plan, cfg)?;
        eval.temperature = probe.temperature;
        eval.images = probe.images;
        if !eval.ks.contains(&probe.k) {
            eval.ks.push(probe.k);
            eval.ks.sort_unstable();
        }
        let data = Dataset::open(&plan.source)?;
        let untrained = Weights::seeded(plan, &device.clone().autodiff(), plan.train.seed)?;
        let grid = match data.holdout.first() {
            Some(scene) => probe.target.with(&untrained, |f| f.grid(scene, device))?,
            None => None,
        };
        let mut suite = Suite {
            eval,
            probe,
            data,
            grid,
            baselines: vec![],
        };
        suite.baselines = vec![
            suite.row(PIXELS, Features::Pixels, device)?,
            suite
                .probe
                .target
                .clone()
                .with(&untrained, |f| suite.row(UNTRAINED, f, device))?,
        ];
        Ok(suite)
    }

    fn row(&self, name: &str, features: Features<'_>, device: &Device) -> Result<Row, RunError> {
        self.eval.row(name, features, &self.data, self.grid, device)
    }

    /// The recipe's own probe (`train.probe`, at its k) on the untrained network: what
    /// `Trainer::probe` measures before training, read off the baseline instead of run again.
    pub fn untrained_probe(&self) -> Option<f64> {
        self.probe_figure(&self.baselines, UNTRAINED)
    }

    /// The recipe's own probe on raw pixels and on the trained network of `report`, as
    /// `Trainer::probe_pixels` and `Trainer::probe` measure them on the report's weights.
    pub fn probes_in(&self, report: &Report) -> (Option<f64>, Option<f64>) {
        (
            self.probe_figure(&report.rows, PIXELS),
            self.probe_figure(&report.rows, TRAINED),
        )
    }

    /// The kNN accuracy at the recipe's k in the row `features` of `rows`.
    fn probe_figure(&self, rows: &[Row], features: &str) -> Option<f64> {
        let row = rows.iter().find(|r| r.features == features)?;
        row.knn.get(&self.probe.k).copied()
    }

    /// The baselines and the probed network of `weights`, after `step` steps (`epoch` epochs).
    pub fn report(
        &self,
        weights: &Weights,
        recipe: &str,
        step: u64,
        epoch: f64,
        device: &Device,
    ) -> Result<Report, RunError> {
        let mut rows = self.baselines.clone();
        rows.push(self.probe.target.with(weights, |f| self.row(TRAINED, f, device))?);
        Ok(Report {
            recipe: recipe.into(),
            network: self.probe.target.name(),
            step,
            epoch,
            train_images: self.eval.images.min(self.data.bank_len()),
            test_images: self.data.holdout.len(),
            rows,
        })
    }
}
