//! The plan's optimiser, probe and jobs: one struct each, its settings with their types,
//! decoded from the recipe's configuration when the plan is made.

use serde::Serialize;

use super::decode::{Args, Field, NetRef, Probed};
use crate::value::{Param, Schedule};

choice! {
    /// Where a k-means segment job's first maps come from.
    SegmentsInit { Scenes = "scenes", Kmeans = "kmeans", Superpixels = "superpixels" }
}

crate::optimizer_kinds!(define_ops);

impl OptimizerKind {
    /// The learning rate's schedule.
    pub fn lr(&self) -> &Schedule {
        match self {
            OptimizerKind::AdamW(o) => &o.lr,
            OptimizerKind::Adam(o) => &o.lr,
            OptimizerKind::Sgd(o) => &o.lr,
            OptimizerKind::Lars(o) => &o.lr,
        }
    }

    /// The networks trained at the learning rate's base value throughout.
    pub fn fixed_lr(&self) -> &[String] {
        match self {
            OptimizerKind::AdamW(o) => &o.fixed_lr,
            OptimizerKind::Adam(o) => &o.fixed_lr,
            OptimizerKind::Sgd(o) => &o.fixed_lr,
            OptimizerKind::Lars(o) => &o.fixed_lr,
        }
    }

    /// The networks whose learning rate is scaled, with their factors.
    pub fn lr_scale(&self) -> &[(String, f64)] {
        match self {
            OptimizerKind::AdamW(o) => &o.lr_scale,
            OptimizerKind::Adam(o) => &o.lr_scale,
            OptimizerKind::Sgd(o) => &o.lr_scale,
            OptimizerKind::Lars(o) => &o.lr_scale,
        }
    }

    /// The factor of layer-wise learning-rate decay in ViTs (1: off).
    pub fn layer_decay(&self) -> f64 {
        match self {
            OptimizerKind::AdamW(o) => o.layer_decay,
            OptimizerKind::Adam(o) => o.layer_decay,
            OptimizerKind::Sgd(o) => o.layer_decay,
            OptimizerKind::Lars(o) => o.layer_decay,
        }
    }

    /// The weight decay's schedule.
    pub fn weight_decay(&self) -> &Schedule {
        match self {
            OptimizerKind::AdamW(o) => &o.weight_decay,
            OptimizerKind::Adam(o) => &o.weight_decay,
            OptimizerKind::Sgd(o) => &o.weight_decay,
            OptimizerKind::Lars(o) => &o.weight_decay,
        }
    }
}

crate::probe_kinds!(define_ops);

crate::job_kinds!(define_ops);

choice! {
    /// How the generated scenes colour their objects.
    Colours { Class = "class", Random = "random" }
}

/// Where an image folder's labels come from: one sub-folder per class, none, or a label file
/// in the folder (any other word names the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FolderLabels {
    Folders,
    None,
    File(String),
}

impl Field for FolderLabels {
    fn decode(args: &Args, name: &str) -> Result<Self, String> {
        Ok(match String::decode(args, name)?.as_str() {
            "folders" => FolderLabels::Folders,
            "none" => FolderLabels::None,
            file => FolderLabels::File(file.into()),
        })
    }
    fn shown(&self) -> Option<Param> {
        Some(Param::Str(match self {
            FolderLabels::Folders => "folders".into(),
            FolderLabels::None => "none".into(),
            FolderLabels::File(f) => f.clone(),
        }))
    }
}

crate::source_kinds!(define_ops);
