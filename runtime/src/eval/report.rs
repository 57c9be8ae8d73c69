//! An evaluation's results: one row of probe scores per feature source (raw pixels, the
//! untrained network, the trained one), serialisable to JSON and printable as a table.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

/// The probes' scores on one feature source (fractions in [0, 1]; `None`: not applicable).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Row {
    pub features: String,
    /// Top-1 accuracy of the kNN probe, by k.
    pub knn: BTreeMap<usize, f64>,
    /// Top-1 accuracy of the linear probe.
    pub linear: Option<f64>,
    /// Mean average precision of the multi-label linear probe.
    pub map: Option<f64>,
    /// Mean IoU of the dense linear probe (background counted as a class).
    pub miou: Option<f64>,
}

/// One evaluation of a network.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The recipe file the network was trained from.
    pub recipe: String,
    /// `branch.net` of the probed network.
    pub network: String,
    /// Steps and epochs trained.
    pub step: u64,
    pub epoch: f64,
    /// Training images used by the probes, and held-out images scored.
    pub train_images: usize,
    pub test_images: usize,
    pub rows: Vec<Row>,
}

impl Report {
    /// The rows as an aligned table, percentages with one decimal; `-` where not applicable.
    pub fn table(&self) -> String {
        let ks: Vec<usize> = self
            .rows
            .first()
            .map(|r| r.knn.keys().copied().collect())
            .unwrap_or_default();
        let mut head: Vec<String> = vec!["features".into()];
        head.extend(ks.iter().map(|k| format!("kNN k={k}")));
        head.extend(["linear", "mAP", "dense mIoU"].map(String::from));
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}", v * 100.0));
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.features.clone()];
                cells.extend(ks.iter().map(|k| pct(r.knn.get(k).copied())));
                cells.extend([pct(r.linear), pct(r.map), pct(r.miou)]);
                cells
            })
            .collect();
        let widths: Vec<usize> = (0..head.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].len())
                    .chain([head[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} after {} steps ({:.1} epochs): probes trained on {} images, scored on {} held-out (%)",
            self.network, self.step, self.epoch, self.train_images, self.test_images
        );
        for line in std::iter::once(&head).chain(&rows) {
            let cells: Vec<String> = line
                .iter()
                .enumerate()
                .map(|(c, s)| {
                    if c == 0 {
                        format!("{s:<w$}", w = widths[c])
                    } else {
                        format!("{s:>w$}", w = widths[c])
                    }
                })
                .collect();
            let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
        }
        out
    }
}
