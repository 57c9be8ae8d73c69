//! Evaluation as the field does it, on frozen features: kNN (k = 20 and 200 by default), a
//! linear probe, multi-label mAP where the data has several labels per image, and a dense
//! linear probe (mIoU on the scenes' masks). The same probes run on raw pixels and on the
//! untrained network, so every figure has its baselines.

pub mod collapse;
pub mod dense;
pub mod features;
pub mod knn;
pub mod linear;
pub mod metrics;
pub mod probed;
pub mod report;
pub mod suite;

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::{Dataset, Scene};
use crate::error::RunError;
use features::Features;
use linear::{LinearProbe, Loss};
pub use report::{Report, Row};
pub use suite::Suite;

/// What an evaluation runs.
#[derive(Clone, Debug)]
pub struct Eval {
    /// Neighbour counts of the kNN probe.
    pub ks: Vec<usize>,
    /// Vote temperature of the kNN probe.
    pub temperature: f64,
    /// Training images used as the kNN bank and to train the linear probes.
    pub images: usize,
    /// The linear probes' optimiser and schedule.
    pub linear: LinearProbe,
}

impl Default for Eval {
    fn default() -> Self {
        Eval {
            ks: vec![20, 200],
            temperature: 0.07,
            images: 1024,
            linear: LinearProbe::default(),
        }
    }
}

impl Eval {
    /// Every probe on `features`: trained on the first `images` training images of `data`,
    /// scored on its held-out ones. `grid` is the side of the dense probe's grid (`None`: no
    /// dense probe).
    pub fn row(
        &self,
        name: &str,
        features: Features<'_>,
        data: &Dataset,
        grid: Option<usize>,
        device: &Device,
    ) -> Result<Row, RunError> {
        let bank = data.bank(self.images)?;
        let (train, test, classes) = (&bank[..], &data.holdout[..], data.classes);
        let plain = device.clone().inner();
        // One forward pass over each set serves every probe, the dense one included.
        let (ftr, dtr) = features.global_and_dense(train, grid, device)?;
        let (fte, dte) = features.global_and_dense(test, grid, device)?;
        let labels = |s: &[Scene]| s.iter().map(|s| s.label).collect::<Vec<_>>();
        let (ltr, lte) = (labels(train), labels(test));
        let knn = knn::vote(
            ftr.clone(),
            fte.clone(),
            &ltr,
            &lte,
            classes,
            &self.ks,
            self.temperature,
        )?;

        let fitted = self
            .linear
            .fit(ftr.clone(), onehot(&ltr, classes, &plain), Loss::Softmax);
        let linear = metrics::accuracy(&read(fitted.scores(fte.clone()))?, classes, &lte);

        let map = if is_multi_label(train, classes) && is_multi_label(test, classes) {
            let multi = |s: &[Scene]| -> Tensor<2> {
                let v: Vec<f32> = s.iter().flat_map(|s| s.labels.iter().copied()).collect();
                Tensor::from_data(TensorData::new(v, [s.len(), classes]), &plain)
            };
            let fitted = self.linear.fit(ftr, multi(train), Loss::Sigmoid);
            let targets: Vec<f32> = test.iter().flat_map(|s| s.labels.iter().copied()).collect();
            Some(metrics::mean_average_precision(
                &read(fitted.scores(fte))?,
                &targets,
                classes,
            ))
        } else {
            None
        };

        let miou = match (grid, dtr, dte) {
            (Some(g), Some(dtr), Some(dte)) => self.dense(dtr, dte, train, test, classes, g)?,
            _ => None,
        };
        Ok(Row {
            features: name.into(),
            knn: self.ks.iter().copied().zip(knn).collect(),
            linear: Some(linear),
            map,
            miou,
        })
    }

    /// The dense linear probe: a linear classifier on the features of each grid cell (`ftr`,
    /// `fte`: `[scenes·g·g, dim]`), trained to predict the cell's class (background included),
    /// scored by mIoU on `test`.
    fn dense(
        &self,
        ftr: Tensor<2>,
        fte: Tensor<2>,
        train: &[Scene],
        test: &[Scene],
        classes: usize,
        g: usize,
    ) -> Result<Option<f64>, RunError> {
        let cells = |s: &[Scene]| -> Option<Vec<usize>> {
            s.iter()
                .map(|s| dense::cell_classes(s, g))
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat())
        };
        let (Some(ctr), Some(cte)) = (cells(train), cells(test)) else {
            return Ok(None);
        };
        let k = classes + 1;
        let y = onehot(&ctr, k, &ftr.device());
        let fitted = self.linear.fit(ftr, y, Loss::Softmax);
        let scores = read(fitted.scores(fte))?;
        let predicted: Vec<usize> = scores.chunks(k).map(metrics::argmax).collect();
        Ok(Some(metrics::mean_iou(&predicted, &cte, k)))
    }
}

/// Whether every image of `scenes` has a multi-hot row of `classes` and some has more than one
/// label.
fn is_multi_label(scenes: &[Scene], classes: usize) -> bool {
    scenes.iter().all(|s| s.labels.len() == classes)
        && scenes.iter().any(|s| s.labels.iter().filter(|l| **l > 0.5).count() > 1)
}

/// One row per label, 1 in the label's column of `classes`.
fn onehot(labels: &[usize], classes: usize, device: &Device) -> Tensor<2> {
    let mut v = vec![0.0f32; labels.len() * classes];
    for (i, k) in labels.iter().enumerate() {
        v[i * classes + k] = 1.0;
    }
    Tensor::from_data(TensorData::new(v, [labels.len(), classes]), device)
}

fn read(t: Tensor<2>) -> Result<Vec<f32>, RunError> {
    t.try_into_vec_as::<f32>()
        .map_err(|e| RunError::Internal(format!("reading probe scores: {e:?}")))
}
