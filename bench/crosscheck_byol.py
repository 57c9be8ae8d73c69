"""Step-by-step cross-check of sslc against its PyTorch twin on identical weights and inputs.

sslc trains a BYOL variant whose views are the plain images (no augmentation), on 128
Fashion-MNIST items in one batch, so every step sees the same inputs in both implementations.
The PyTorch twin starts from sslc's own initial weights (a checkpoint taken after a step at
learning rate 0) and takes the same steps; the two loss curves must agree to float rounding.

    .torch/bin/python bench/crosscheck_byol.py [--steps 20] [--sslc target/release/sslc]

Exits non-zero when the two curves differ by more than --tolerance (1e-3) at any step.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(__file__))
from byol import Byol  # noqa: E402
from sslbench.data import fashion_mnist, normalise, rgb  # noqa: E402

RECIPE = """
data {{
  source = fashion_mnist(size: 32, count: {count}, holdout: 128)
  batch = {count}
}}
view v1 = image
view v2 = image
network backbone = vit(patch: 4, dim: 64, depth: 4, heads: 4, mlp_ratio: 2)
network projector = mlp(hidden: 256, out: 64)
network predictor = mlp(hidden: 256, out: 64)
branch online = trainable(backbone, projector, predictor)
branch target = ema(online, momentum: cosine(0.99, 1.0), nets: [backbone, projector])
let p1 = v1 |> online.backbone |> cls |> online.projector |> online.predictor
let p2 = v2 |> online.backbone |> cls |> online.projector |> online.predictor
let t1 = v1 |> target.backbone |> cls |> target.projector
let t2 = v2 |> target.backbone |> cls |> target.projector
loss byol = neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1))
optimizer = adamw(lr: {lr}, weight_decay: 0.05)
train {{
  epochs = {epochs}
  seed = 0
  log_every = 1
  probe = knn(online.backbone, k: 20)
}}
"""


def read_checkpoint(path):
    with open(path, "rb") as f:
        assert f.readline().strip() == b"sslc-checkpoint 1"
        header = json.loads(f.read(int(f.readline())))
        values = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    nets, at = {}, 0
    for net in header["nets"]:
        tensors = []
        for shape in net["shapes"]:
            n = 1
            for s in shape:
                n *= s
            tensors.append(values[at:at + n].reshape(shape).clone())
            at += n
        nets[net["name"]] = tensors
    return nets


def load(module, tensors, name):
    """Copies sslc's parameters (burn's visiting order, which is the twin's registration order)
    into `module`; burn stores linear weights as [in, out], PyTorch as [out, in]."""
    named = list(module.named_parameters())
    # PyTorch lists a module's own parameters (the ViT's class token) before its submodules';
    # burn visits fields in declaration order, where the class token follows the embedding.
    if any(n == "cls" for n, _ in named):
        rest = [(n, p) for n, p in named if n != "cls"]
        named = rest[:2] + [("cls", module.cls)] + rest[2:]
    params = [p for _, p in named]
    linear = {id(m.weight) for m in module.modules() if isinstance(m, torch.nn.Linear)}
    assert len(params) == len(tensors), f"{name}: {len(params)} parameters vs {len(tensors)}"
    with torch.no_grad():
        for p, t in zip(params, tensors):
            if id(p) in linear:
                t = t.t()
            assert p.shape == t.shape, f"{name}: {tuple(p.shape)} vs {tuple(t.shape)}"
            p.copy_(t)


def sslc_losses(sslc, workdir, count, lr, epochs, out):
    path = os.path.join(workdir, "cross.ssl")
    with open(path, "w") as f:
        f.write(RECIPE.format(count=count, lr=lr, epochs=epochs))
    run = subprocess.run([sslc, "run", path, "--out", out], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(run.stderr)
    return [float(m) for m in re.findall(r"^step \d+/\d+ epoch \S+ loss (\S+)", run.stderr, re.M)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--count", type=int, default=128)
    ap.add_argument("--lr", default="2e-3")
    ap.add_argument("--sslc", default="target/release/sslc")
    ap.add_argument("--tolerance", type=float, default=1e-3)
    args = ap.parse_args()
    torch.set_num_threads(2)
    work = tempfile.mkdtemp(prefix="sslc-cross-")
    # sslc's initial weights: one step at learning rate 0 changes nothing.
    sslc_losses(args.sslc, work, args.count, "0", 1, os.path.join(work, "init"))
    init = read_checkpoint(os.path.join(work, "init", "final.ckpt"))
    ours = sslc_losses(args.sslc, work, args.count, args.lr, args.steps, os.path.join(work, "run"))

    method = Byol()
    data = fashion_mnist(size=32, count=args.count, holdout=128)
    build_args = argparse.Namespace(epochs=args.steps)
    method.build(build_args, data)
    from sslbench.schedules import Constant
    method.opt.lr = Constant(float(args.lr))
    for module, name in [(method.backbone, "online.backbone"), (method.projector, "online.projector"),
                         (method.predictor, "online.predictor"), (method.t_backbone, "target.backbone"),
                         (method.t_projector, "target.projector")]:
        load(module, init[name], name)
    x = normalise(rgb(data.train))
    batch = {"v1": x, "v2": x}
    theirs = []
    for step in range(args.steps):
        loss, _ = method.loss(batch, float(step), float(args.steps))
        theirs.append(loss.item())
        method.opt.step(loss, float(step), float(args.steps))
        method.ema.update(float(step), float(args.steps))
    print("step   sslc      pytorch   difference")
    for i, (a, b) in enumerate(zip(ours, theirs)):
        print(f"{i + 1:4d}  {a:8.4f}  {b:8.4f}  {a - b:+.4f}")
    if len(ours) != len(theirs):
        sys.exit(f"sslc logged {len(ours)} steps, PyTorch took {len(theirs)}")
    worst = max(abs(a - b) for a, b in zip(ours, theirs))
    if worst > args.tolerance:
        sys.exit(f"the curves part: largest difference {worst:.2e} > {args.tolerance:.0e}")
    print(f"agree within {worst:.1e} over {len(ours)} steps")


if __name__ == "__main__":
    main()
