"""Networks exported by `sslc export --to timm` load into timm with strict=True and compute what
sslc computes on the same images.

For each case, sslc trains a recipe briefly, exports a ViT with `--sample`, and this script
builds timm's VisionTransformer from the exported `timm.config`, loads the file with
`load_state_dict(strict=True)`, runs `forward_features` on the sampled inputs and compares with
sslc's tokens. Cases: the tests' tiny BYOL (class token), FLSL's backbone (no class token, the
EMA target's copy) and BYOL's ViT-S/16 at 224 px from the paper profile.

    .torch/bin/python bench/export_check.py [--sslc target/release/sslc] [--tolerance 1e-4]
        [--skip-paper]

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


def sslc(args, *argv):
    run = subprocess.run([args.sslc, *argv], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "RAYON_NUM_THREADS": "2"})
    if run.returncode != 0:
        sys.exit(f"sslc {' '.join(argv)} failed:\n{run.stderr}")


def check(args, work, name, recipe, extra, net):
    out = os.path.join(work, name)
    sslc(args, "run", recipe, "--out", out, "--set", "train.epochs=1", *extra)
    exported = os.path.join(out, "timm.safetensors")
    sample = os.path.join(out, "sample.safetensors")
    sslc(args, "export", os.path.join(out, "final.safetensors"), "--net", net, "--to", "timm",
         "--out", exported, "--sample", "4", sample)
    with safe_open(exported, "pt") as f:
        config = json.loads(f.metadata()["timm.config"])
    config["img_size"] = tuple(config["img_size"])
    model = VisionTransformer(**config).eval()
    model.load_state_dict(load_file(exported), strict=True)
    data = load_file(sample)
    with torch.no_grad():
        theirs = model.forward_features(data["input"])
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
    args = ap.parse_args()
    torch.set_num_threads(2)
    failures = []
    with tempfile.TemporaryDirectory() as work:
        for name, recipe, extra, net in CASES:
            if args.skip_paper and name.endswith("paper"):
                continue
            problem = check(args, work, name, recipe, extra, net)
            if problem:
                failures.append(problem)
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
