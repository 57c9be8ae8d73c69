//! `sslc export`: one network of a checkpoint as a file another tool loads, and a sample of
//! inputs with sslc's outputs on them, so the port can be checked wherever it lands.
//!
//! Targets: `timm` (a ViT as timm's `VisionTransformer`, see [`timm`]), `torchvision` (a ResNet
//! as torchvision's `ResNet`, see [`torchvision`]) and `safetensors` (the network's parameters as
//! sslc stores them: burn's names and layouts).

pub mod timm;
pub mod torchvision;

use std::collections::HashMap;
use std::path::Path;

use burn::module::Module;
use burn::tensor::Device;
use safetensors::Dtype;
use safetensors::tensor::TensorView;
use sslc_compiler::plan::nets::Positions;
use sslc_compiler::plan::{NetKind, Plan};

use crate::checkpoint::{Checkpoint, write_atomically};
use crate::data::Dataset;
use crate::error::RunError;
use crate::exec::views::full_images;
use crate::nets::Pass;
use crate::val::Val;
use crate::weights::Weights;

/// Where an exported network is meant to be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Timm,
    Torchvision,
    Safetensors,
}

impl Target {
    /// Where a network of this kind is usually taken: timm for a ViT (one with rotary positions
    /// has no timm form), torchvision for a ResNet, plain safetensors for the rest.
    pub fn for_kind(kind: &NetKind) -> Target {
        match kind {
            NetKind::Vit(v) if v.positions == Positions::Rope => Target::Safetensors,
            NetKind::Vit(_) => Target::Timm,
            NetKind::ResNet(_) => Target::Torchvision,
            _ => Target::Safetensors,
        }
    }
}

/// One exported tensor, row-major.
pub struct Tensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Values,
}

/// An exported tensor's numbers.
pub enum Values {
    F32(Vec<f32>),
    /// Counts (torchvision's `num_batches_tracked`).
    I64(Vec<i64>),
}

impl Tensor {
    pub fn new(name: String, shape: Vec<usize>, values: Vec<f32>) -> Self {
        Tensor {
            name,
            shape,
            values: Values::F32(values),
        }
    }

    /// A 0-dimensional int64 count.
    pub fn count(name: String, value: i64) -> Self {
        Tensor {
            name,
            shape: vec![],
            values: Values::I64(vec![value]),
        }
    }

    /// A device tensor's values under `name`.
    fn read<const D: usize>(name: &str, t: burn::tensor::Tensor<D>) -> Result<Self, RunError> {
        let shape = t.dims().to_vec();
        let values = t
            .try_into_vec_as::<f32>()
            .map_err(|e| RunError::Internal(format!("reading `{name}`: {e:?}")))?;
        Ok(Tensor::new(name.into(), shape, values))
    }
}

/// An exported file's tensors and metadata.
pub struct Exported {
    pub tensors: Vec<Tensor>,
    pub metadata: Vec<(String, String)>,
}

/// The network `name` (`branch.net`) of the plan and what it was declared as.
pub fn declared<'a>(plan: &'a Plan, name: &str) -> Result<&'a sslc_compiler::plan::Network, RunError> {
    let net = name.split_once('.').map_or(name, |(_, n)| n);
    plan.networks
        .iter()
        .find(|(n, _)| n == net)
        .map(|(_, network)| network)
        .ok_or_else(|| RunError::Export(format!("the recipe declares no network `{net}`")))
}

/// Network `name` (`branch.net`) of `ckpt`, whose recipe compiled to `plan`, for `target`.
pub fn export(plan: &Plan, ckpt: &Checkpoint, name: &str, target: Target) -> Result<Exported, RunError> {
    let params = ckpt.network(name)?;
    let network = declared(plan, name)?;
    let mut exported = match target {
        Target::Safetensors => Exported {
            tensors: params
                .into_iter()
                .map(|p| Tensor::new(p.path, p.shape, p.values))
                .collect(),
            metadata: vec![],
        },
        Target::Timm => match (&network.kind, &network.input) {
            (NetKind::Vit(vit), Some(input)) => timm::vit(vit, input, params)?,
            (other, _) => {
                return Err(RunError::Export(format!(
                    "`{name}` is a `{}`; only a `vit` has a timm counterpart",
                    other.name()
                )));
            }
        },
        Target::Torchvision => match &network.kind {
            NetKind::ResNet(resnet) => torchvision::resnet(resnet, params)?,
            other => {
                return Err(RunError::Export(format!(
                    "`{name}` is a `{}`; only a `resnet` has a torchvision counterpart",
                    other.name()
                )));
            }
        },
    };
    exported.metadata.extend([
        ("format".to_string(), "pt".to_string()),
        ("sslc.network".to_string(), name.to_string()),
        ("sslc.recipe_file".to_string(), ckpt.meta.recipe_file.clone()),
        ("sslc.step".to_string(), ckpt.meta.step.to_string()),
    ]);
    Ok(exported)
}

/// `count` held-out images of the recipe's data as the network sees them (`input`,
/// `[n, c, h, w]`, normalised) and sslc's output on them (`tokens`, `[n, tokens, dim]`).
pub fn sample(plan: &Plan, ckpt: &Checkpoint, name: &str, count: usize, device: &Device) -> Result<Exported, RunError> {
    let (branch, net) = name
        .split_once('.')
        .ok_or_else(|| RunError::Export(format!("`{name}` is not `branch.network`")))?;
    let mut weights = Weights::new(plan, &device.clone().autodiff())?;
    ckpt.restore(&mut weights)?;
    let net = weights.named(branch, net)?.valid();
    let data = Dataset::open(&plan.source)?;
    let scenes = &data.holdout[..count.min(data.holdout.len())];
    let mut inputs = vec![];
    let mut outputs = vec![];
    for x in full_images(scenes, device) {
        let x = x?;
        inputs.push(x.clone());
        outputs.push(net.forward(Val::Images(x), None, Pass::Infer)?.tokens()?);
    }
    if inputs.is_empty() {
        return Err(RunError::Export(
            "the recipe's data has no held-out images to sample".into(),
        ));
    }
    Ok(Exported {
        tensors: vec![
            Tensor::read("input", burn::tensor::Tensor::cat(inputs, 0))?,
            Tensor::read("tokens", burn::tensor::Tensor::cat(outputs, 0))?,
        ],
        metadata: vec![("sslc.network".into(), name.into())],
    })
}

impl Exported {
    /// Writes the tensors as a safetensors file, atomically.
    pub fn write(&self, path: &Path) -> Result<(), RunError> {
        let fail = |e: &dyn std::fmt::Display| RunError::Export(format!("{} cannot be written: {e}", path.display()));
        let bytes: Vec<(Dtype, Vec<u8>)> = self
            .tensors
            .iter()
            .map(|t| match &t.values {
                Values::F32(v) => (Dtype::F32, v.iter().flat_map(|v| v.to_le_bytes()).collect()),
                Values::I64(v) => (Dtype::I64, v.iter().flat_map(|v| v.to_le_bytes()).collect()),
            })
            .collect();
        let views: Vec<(String, TensorView)> = self
            .tensors
            .iter()
            .zip(&bytes)
            .map(|(t, (dtype, b))| {
                TensorView::new(*dtype, t.shape.clone(), b)
                    .map(|v| (t.name.clone(), v))
                    .map_err(|e| fail(&e))
            })
            .collect::<Result<_, _>>()?;
        let metadata: HashMap<String, String> = self.metadata.iter().cloned().collect();
        let data = safetensors::serialize(views, Some(metadata)).map_err(|e| fail(&e))?;
        write_atomically(path, &data).map_err(|e| fail(&e))
    }
}
