//! `sslc export`: a ViT leaves in timm's names and layouts and a ResNet in torchvision's (the
//! loads into timm and torchvision themselves are `bench/export_check.py`), other networks as
//! sslc stores them, and what cannot be exported is refused with the reason.

use std::path::{Path, PathBuf};

use safetensors::SafeTensors;
use sslc_runtime::checkpoint::Checkpoint;

mod common;
use common::ran as sslc;

/// A checkpoint of the tiny BYOL after one epoch.
fn trained(name: &str) -> PathBuf {
    trained_from(name, "tests/run/tiny_byol.ssl", &[])
}

/// A checkpoint of `recipe` after one epoch, with `sets` applied.
fn trained_from(name: &str, recipe: &str, sets: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslc-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut args = vec!["run", recipe, "--set", "train.epochs=1", "--out", dir.to_str().unwrap()];
    for set in sets {
        args.extend(["--set", set]);
    }
    let (ok, _, stderr) = sslc(&args);
    assert!(ok, "{stderr}");
    dir
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("the exported file")
}

#[test]
fn a_vit_leaves_in_timms_names_and_layouts_with_its_constructor_arguments() {
    let dir = trained("timm");
    let ckpt_path = dir.join("final.safetensors");
    let out = dir.join("timm.safetensors");
    let sample = dir.join("sample.safetensors");
    let (ok, _, stderr) = sslc(&[
        "export",
        ckpt_path.to_str().unwrap(),
        "--net",
        "target.backbone",
        "--out",
        out.to_str().unwrap(),
        "--sample",
        "5",
        sample.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let bytes = read(&out);
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = file.names().into_iter().map(String::from).collect();
    names.sort();
    // tiny_byol: patch 4, dim 16, one block, a class token.
    let mut want: Vec<String> = [
        "cls_token",
        "pos_embed",
        "patch_embed.proj.weight",
        "patch_embed.proj.bias",
        "norm.weight",
        "norm.bias",
    ]
    .map(String::from)
    .to_vec();
    for p in [
        "norm1.weight",
        "norm1.bias",
        "attn.qkv.weight",
        "attn.qkv.bias",
        "attn.proj.weight",
        "attn.proj.bias",
        "norm2.weight",
        "norm2.bias",
        "mlp.fc1.weight",
        "mlp.fc1.bias",
        "mlp.fc2.weight",
        "mlp.fc2.bias",
    ] {
        want.push(format!("blocks.0.{p}"));
    }
    want.sort();
    assert_eq!(names, want);
    let shape = |n: &str| file.tensor(n).unwrap().shape().to_vec();
    assert_eq!(shape("patch_embed.proj.weight"), [16, 3, 4, 4]);
    assert_eq!(shape("pos_embed"), [1, 16, 16]);
    assert_eq!(shape("blocks.0.attn.qkv.weight"), [48, 16]);
    assert_eq!(shape("blocks.0.mlp.fc1.weight"), [32, 16]);

    // PyTorch's [out, in] is burn's [in, out] transposed, value for value.
    let ckpt = Checkpoint::read(&ckpt_path).unwrap();
    let stored = ckpt.network("target.backbone").unwrap();
    let qkv = stored.iter().find(|p| p.path == "blocks.0.attn.qkv.weight").unwrap();
    let ported = f32s(file.tensor("blocks.0.attn.qkv.weight").unwrap().data());
    for i in 0..16 {
        for o in 0..48 {
            assert_eq!(ported[o * 16 + i], qkv.values[i * 48 + o]);
        }
    }
    // The patch embedding's row of (channel, y, x) is the convolution's kernel at [c, y, x].
    let embed = stored.iter().find(|p| p.path == "embed.weight").unwrap();
    let conv = f32s(file.tensor("patch_embed.proj.weight").unwrap().data());
    let (c, y, x, d) = (2, 1, 3, 7);
    assert_eq!(
        conv[((d * 3 + c) * 4 + y) * 4 + x],
        embed.values[((c * 4 + y) * 4 + x) * 16 + d]
    );

    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = header.metadata().clone().unwrap();
    let config: serde_json::Value = serde_json::from_str(&meta["timm.config"]).unwrap();
    assert_eq!(config["embed_dim"], 16);
    assert_eq!(config["class_token"], true);
    assert_eq!(config["no_embed_class"], true);
    assert_eq!(meta["sslc.network"], "target.backbone");

    let sample = read(&sample);
    let sample = SafeTensors::deserialize(&sample).unwrap();
    assert_eq!(sample.tensor("input").unwrap().shape(), [5, 3, 16, 16]);
    assert_eq!(sample.tensor("tokens").unwrap().shape(), [5, 17, 16]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn other_networks_leave_as_stored_and_what_cannot_be_exported_is_refused() {
    let dir = trained("refused");
    let ckpt = dir.join("final.safetensors");
    let ckpt = ckpt.to_str().unwrap();
    let out = dir.join("projector.safetensors");
    let (ok, _, stderr) = sslc(&[
        "export",
        ckpt,
        "--net",
        "online.projector",
        "--to",
        "safetensors",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let bytes = read(&out);
    let file = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(file.tensor("linears.0.weight").unwrap().shape(), [16, 32]);

    let (ok, _, stderr) = sslc(&["export", ckpt, "--net", "online.projector", "--to", "timm"]);
    assert!(!ok);
    assert!(
        stderr.contains("`online.projector` is a `mlp`; only a `vit` has a timm counterpart"),
        "{stderr}"
    );
    let (ok, _, stderr) = sslc(&["export", ckpt, "--net", "online.head"]);
    assert!(!ok);
    assert!(
        stderr.contains("holds no network `online.head`") && stderr.contains("online.backbone"),
        "{stderr}"
    );
    let (ok, _, stderr) = sslc(&[
        "export",
        ckpt,
        "--net",
        "online.backbone",
        "--sample",
        "0",
        "x.safetensors",
    ]);
    assert!(!ok);
    assert!(stderr.contains("the count must be a positive integer"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_resnet_leaves_in_torchvisions_names_with_its_running_statistics() {
    let dir = trained_from("torchvision", "tests/run/tiny_byol_resnet.ssl", &["backbone.width=64"]);
    let ckpt_path = dir.join("final.safetensors");
    let out = dir.join("torchvision.safetensors");
    // No `--to`: a ResNet goes to torchvision.
    let (ok, _, stderr) = sslc(&[
        "export",
        ckpt_path.to_str().unwrap(),
        "--net",
        "online.backbone",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let bytes = read(&out);
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let config: serde_json::Value =
        serde_json::from_str(&metadata.metadata().as_ref().unwrap()["torchvision.config"]).unwrap();
    assert_eq!(config["arch"], "resnet18");
    assert_eq!(config["block"], "BasicBlock");
    assert_eq!(config["layers"], serde_json::json!([2, 2, 2, 2]));
    assert_eq!(file.tensor("conv1.weight").unwrap().shape(), [64, 3, 7, 7]);
    assert_eq!(
        file.tensor("layer2.0.downsample.0.weight").unwrap().shape(),
        [128, 64, 1, 1]
    );
    // torchvision's ResNet-18 without its classifier: 20 convolutions (the stem, 16 in blocks,
    // 3 projections), each followed by a norm of five tensors.
    assert_eq!(file.names().len(), 20 + 20 * 5);
    assert!(file.names().iter().all(|n| !n.starts_with("fc.")));
    let count = file.tensor("layer4.1.bn2.num_batches_tracked").unwrap();
    assert_eq!((count.dtype(), count.shape()), (safetensors::Dtype::I64, &[][..]));
    // One epoch of three steps, each calling the online backbone on two views.
    assert_eq!(i64::from_le_bytes(count.data().try_into().unwrap()), 6);
    let ckpt = Checkpoint::read(&ckpt_path).unwrap();
    let stored = ckpt.network("online.backbone").unwrap();
    let mean = stored
        .iter()
        .find(|p| p.path == "stages.2.0.conv1.bn.running.mean")
        .unwrap();
    assert_eq!(
        f32s(file.tensor("layer3.0.bn1.running_mean").unwrap().data()),
        mean.values
    );

    let (ok, _, stderr) = sslc(&[
        "export",
        ckpt_path.to_str().unwrap(),
        "--net",
        "online.backbone",
        "--to",
        "timm",
    ]);
    assert!(
        !ok && stderr.contains("only a `vit` has a timm counterpart"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let dir = trained_from("torchvision-small", "tests/run/tiny_byol_resnet.ssl", &[]);
    let ckpt_path = dir.join("final.safetensors");
    let (ok, _, stderr) = sslc(&["export", ckpt_path.to_str().unwrap(), "--net", "online.backbone"]);
    assert!(!ok);
    assert!(
        stderr.contains("no torchvision counterpart: its width is 16; torchvision's is 64"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_checkpoint_with_a_flipped_bit_is_refused_by_eval_and_export_naming_the_tensor() {
    let dir = trained("flipped");
    let path = dir.join("final.safetensors");
    let mut bytes = read(&path);
    // A bit in the middle of the data, past the header.
    let at = bytes.len() / 2;
    bytes[at] ^= 0x04;
    let damaged = dir.join("damaged.safetensors");
    std::fs::write(&damaged, &bytes).unwrap();
    let out = dir.join("out.safetensors");
    for args in [
        vec!["eval", damaged.to_str().unwrap()],
        vec![
            "export",
            damaged.to_str().unwrap(),
            "--net",
            "online.backbone",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let (ok, _, stderr) = sslc(&args);
        assert!(!ok, "{args:?} took a damaged checkpoint");
        assert!(
            stderr.contains("damaged.safetensors") && stderr.contains("the data of tensor `"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!out.exists(), "nothing exported from a damaged checkpoint");
}
