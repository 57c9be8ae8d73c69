//! An sslc ResNet as torchvision's `ResNet`: the tensor names its `state_dict` has, with the
//! classifier replaced by `torch.nn.Identity()` (a backbone has none), and the constructor
//! arguments that build the same network.
//!
//! sslc's ResNet was written to torchvision's layout (convolutions without bias, the stride on
//! the 3×3 convolution, a strided 1×1 projection as shortcut), so the port is a renaming:
//! `stages.I.K` is `layerI+1.K`, `convJ.conv`/`convJ.bn` are `convJ`/`bnJ`, `downsample.conv`/
//! `downsample.bn` are `downsample.0`/`downsample.1`, and BatchNorm's `gamma`, `beta` and running
//! statistics are `weight`, `bias`, `running_mean`, `running_var` and `num_batches_tracked`.
//! Convolution weights are `[out, in, k, k]` in both.

use std::collections::BTreeMap;

use serde_json::json;
use sslc_compiler::plan::nets::{BnStats, ResNet, Stem};

use super::{Exported, Tensor};
use crate::checkpoint::Stored;
use crate::error::RunError;
use crate::nets::resnet::layout;

/// What keeps a ResNet declaration from having a torchvision counterpart, if anything.
fn unported(net: &ResNet) -> Option<String> {
    if net.stem != Stem::Imagenet {
        return Some("its stem is `\"small\"`; torchvision's is `stem: \"imagenet\"`".into());
    }
    if net.bn != BnStats::Running {
        return Some(
            "it normalises with batch statistics in evaluation; torchvision's keeps running \
             statistics (`bn: \"running\"`)"
                .into(),
        );
    }
    if net.width != 64 {
        return Some(format!("its width is {}; torchvision's is 64", net.width));
    }
    if net.channels != 3 {
        return Some(format!("it takes {} channels; torchvision's takes 3", net.channels));
    }
    None
}

/// torchvision's name for the parameter at sslc's `path`.
fn renamed(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('.').collect();
    let norm = |tail: &[&str]| -> Option<&str> {
        Some(match tail {
            ["gamma"] => "weight",
            ["beta"] => "bias",
            ["running", "mean"] => "running_mean",
            ["running", "var"] => "running_var",
            ["running", "batches"] => "num_batches_tracked",
            _ => return None,
        })
    };
    match &parts[..] {
        ["stem", "conv", "weight"] => Some("conv1.weight".into()),
        ["stem", "bn", tail @ ..] => Some(format!("bn1.{}", norm(tail)?)),
        ["stages", stage, block, layer, part, tail @ ..] => {
            let stage: usize = stage.parse().ok()?;
            let at = format!("layer{}.{block}", stage + 1);
            let name = match (*layer, *part) {
                ("downsample", "conv") => "downsample.0".to_string(),
                ("downsample", "bn") => "downsample.1".to_string(),
                (conv, "conv") if conv.starts_with("conv") => conv.to_string(),
                (conv, "bn") if conv.starts_with("conv") => format!("bn{}", &conv[4..]),
                _ => return None,
            };
            let field = match *part {
                "conv" if tail == ["weight"] => "weight",
                "bn" => norm(tail)?,
                _ => return None,
            };
            Some(format!("{at}.{name}.{field}"))
        }
        _ => None,
    }
}

/// The ResNet declared as `net`, with its stored parameters, in torchvision's form.
pub fn resnet(net: &ResNet, params: Vec<Stored>) -> Result<Exported, RunError> {
    if let Some(why) = unported(net) {
        return Err(RunError::Export(format!(
            "this ResNet has no torchvision counterpart: {why}"
        )));
    }
    let (layers, bottleneck) =
        layout(net.depth).ok_or_else(|| RunError::Internal(format!("resnet of depth {}", net.depth)))?;
    let mut out = BTreeMap::new();
    for p in params {
        let name = renamed(&p.path)
            .ok_or_else(|| RunError::Internal(format!("the torchvision port has no name for `{}`", p.path)))?;
        let tensor = if name.ends_with("num_batches_tracked") {
            // torchvision keeps the count as a 0-dimensional int64.
            Tensor::count(name.clone(), p.values.first().copied().unwrap_or(0.0).round() as i64)
        } else {
            Tensor::new(name.clone(), p.shape, p.values)
        };
        out.insert(name, tensor);
    }
    let arch = match (net.depth, bottleneck) {
        (10, _) => None,
        (depth, _) => Some(format!("resnet{depth}")),
    };
    let config = json!({
        "arch": arch,
        "block": if bottleneck { "Bottleneck" } else { "BasicBlock" },
        "layers": layers,
        // A backbone has no classifier: set `model.fc = torch.nn.Identity()` before loading.
        "fc": "Identity",
        "output": if net.taps { "sslc concatenates pooled stages 2 and 3 with stage 4" } else { "layer4" },
    });
    Ok(Exported {
        tensors: out.into_values().collect(),
        metadata: vec![("torchvision.config".into(), config.to_string())],
    })
}

#[cfg(test)]
mod tests {
    use super::renamed;

    #[test]
    fn every_kind_of_parameter_gets_torchvisions_name() {
        for (ours, theirs) in [
            ("stem.conv.weight", "conv1.weight"),
            ("stem.bn.gamma", "bn1.weight"),
            ("stem.bn.running.batches", "bn1.num_batches_tracked"),
            ("stages.0.1.conv2.conv.weight", "layer1.1.conv2.weight"),
            ("stages.3.0.conv3.bn.beta", "layer4.0.bn3.bias"),
            ("stages.2.0.downsample.conv.weight", "layer3.0.downsample.0.weight"),
            (
                "stages.1.0.downsample.bn.running.var",
                "layer2.0.downsample.1.running_var",
            ),
            ("stages.1.0.conv1.bn.running.mean", "layer2.0.bn1.running_mean"),
        ] {
            assert_eq!(renamed(ours).as_deref(), Some(theirs), "{ours}");
        }
        for stray in ["stem.conv.bias", "stages.0.0.shortcut.conv.weight", "head.weight"] {
            assert_eq!(renamed(stray), None, "{stray}");
        }
    }
}
