"""Networks exported by `sslc export --to timm` load into timm, and by `--to torchvision` into
torchvision, with strict=True, and compute what sslc computes on the same images.

For each case, sslc trains a recipe briefly, exports a network with `--sample`, and this script
builds the model from the exported config, loads the file with `load_state_dict(strict=True)`,
runs it on the sampled inputs and compares with sslc's tokens.
- timm: VisionTransformer from `timm.config`, `forward_features`. Cases: the tests' tiny BYOL
  (class token), FLSL's backbone (no class token, the EMA target's copy) and BYOL's ViT-S/16 at
  224 px from the paper profile.
- torchvision: `ResNet` from `torchvision.config` with `fc = Identity()`, in `eval()` (running
  BatchNorm statistics), up to `layer4`, its grid read as tokens. Cases: BYOL on a ResNet-18
  (basic blocks; the online network and the EMA target's copy, whose running statistics follow
  the online network's) and a ResNet-50 (bottlenecks), at 64 px.

    .torch/bin/python bench/export_check.py [--sslc target/release/sslc] [--tolerance 1e-4]
        [--skip-paper] [--only CASE ...]

Exits non-zero when a load is not strict or a token differs by more than the tolerance.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from timm.models.vision_transformer import VisionTransformer
from torchvision.models import resnet as tv_resnet

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SMALL_DATA = "data.source=scenes(size: 32, count: 64, holdout: 32)"
CASES = [
    ("tiny", "tests/run/tiny_byol.ssl", [], "online.backbone"),
    ("flsl", "recipes/flsl.ssl", ["--set", SMALL_DATA, "--set", "data.batch=32"], "teacher.backbone"),
    ("byol-paper", "recipes/byol.ssl",
     ["--profile", "recipes/profiles/byol-paper.yaml", "--set", "data.source.count=4",
      "--set", "data.source.holdout=4", "--set", "data.batch=2", "--set", "train.probe=knn(online.backbone, k: 2, images: 4)"],
     "target.backbone"),
]

RESNET = ["--set", "data.source=scenes(size: 64, count: 64, holdout: 16)", "--set", "data.batch=16",
          "--set", "v1.random_resized_crop.size=64", "--set", "v2.random_resized_crop.size=64",
          "--set", "backbone.width=64", "--set", "train.probe=knn(online.backbone, k: 5, images: 64)"]
CASES += [
    ("resnet18", "tests/run/tiny_byol_resnet.ssl", RESNET, "online.backbone", "torchvision"),
    ("resnet18-target", "tests/run/tiny_byol_resnet.ssl", RESNET, "target.backbone", "torchvision"),
    ("resnet50", "tests/run/tiny_byol_resnet.ssl", RESNET + ["--set", "backbone.depth=50"], "online.backbone",
     "torchvision"),
]
CASES = [c if len(c) == 5 else (*c, "timm") for c in CASES]


def sslc(args, *argv):
    run = subprocess.run([args.sslc, *argv], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "RAYON_NUM_THREADS": "2"})
    if run.returncode != 0:
        sys.exit(f"sslc {' '.join(argv)} failed:\n{run.stderr}")


def timm_model(config):
    config["img_size"] = tuple(config["img_size"])
    model = VisionTransformer(**config).eval()
    return model, model.forward_features


def torchvision_model(config):
    block = getattr(tv_resnet, config["block"])
    model = tv_resnet.ResNet(block, config["layers"])
    model.fc = torch.nn.Identity()
    model.eval()
    trunk = torch.nn.Sequential(*list(model.children())[:-2])

    def tokens(x):
        grid = trunk(x)
        return grid.flatten(2).transpose(1, 2)

    return model, tokens


def check(args, work, name, recipe, extra, net, to):
    out = os.path.join(work, name)
    sslc(args, "run", recipe, "--out", out, "--set", "train.epochs=1", *extra)
    exported = os.path.join(out, f"{to}.safetensors")
    sample = os.path.join(out, "sample.safetensors")
    sslc(args, "export", os.path.join(out, "final.safetensors"), "--net", net, "--to", to,
         "--out", exported, "--sample", "4", sample)
    with safe_open(exported, "pt") as f:
        config = json.loads(f.metadata()[f"{to}.config"])
    model, features = (timm_model if to == "timm" else torchvision_model)(config)
    model.load_state_dict(load_file(exported), strict=True)
    data = load_file(sample)
    with torch.no_grad():
        theirs = features(data["input"])
    ours = data["tokens"]
    if theirs.shape != ours.shape:
        return f"{name}: timm gives {tuple(theirs.shape)}, sslc {tuple(ours.shape)}"
    worst = (theirs - ours).abs().max().item()
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: {net}, {params} parameters, {tuple(ours.shape)} tokens, largest difference {worst:.1e}")
    if worst > args.tolerance:
        return f"{name}: the tokens differ by {worst:.1e} > {args.tolerance:.0e}"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sslc", default=os.path.join(ROOT, "target", "release", "sslc"))
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--skip-paper", action="store_true", help="leave out the ViT-S/16 case")
    ap.add_argument("--only", nargs="*", help="run these cases only")
    args = ap.parse_args()
    torch.set_num_threads(2)
    failures = []
    with tempfile.TemporaryDirectory() as work:
        for name, recipe, extra, net, to in CASES:
            if args.skip_paper and name.endswith("paper"):
                continue
            if args.only and name not in args.only:
                continue
            problem = check(args, work, name, recipe, extra, net, to)
            if problem:
                failures.append(problem)
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
