"""Command line, training loop and result line shared by the bench scripts.

The loop follows runtime/src/trainer/ `Trainer::step`: steps_per_epoch = ⌊count / batch⌋
(the last partial batch of an epoch is dropped; batch is clamped to the training set), a fresh
random order of the training set every epoch (sslc's own, drawn by sslbench.splitmix, as are
each image's views and masks, so a twin trains on exactly the batches sslc trains on),
fractional epoch t = step / steps_per_epoch at the start of each step for every schedule, views
drawn per image, loss terms summed with their weights, then the optimiser step and the EMA
update at t. The kNN probe runs on the untrained
network before training and on the trained one after (src/run/train.rs `train`).

Timing: `train_seconds` is the wall time of the training steps, each step counted from the
start of its view generation to the end of its EMA update, the way sslc's own img/s figure
(src/run/train.rs, `train_start` around `trainer.step()`) includes its CPU view stage. Reading the
data set and the probes are excluded. The split between view generation and tensor work is
printed on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn

from .checkpoint import load_all
from .data import DEFAULT_DIR, fashion_mnist, rgb
from .knn import knn
from .splitmix import SplitMix, epoch_order, view_rng


class Method:
    """What a bench script defines: its recipe's defaults, networks, views and loss."""

    name = ""
    defaults: dict = {}
    probe_net: torch.nn.Module
    probe_has_cls: bool
    opt = None
    ema = None

    def build(self, args, data) -> None:
        raise NotImplementedError

    def nets(self) -> dict[str, nn.Module]:
        """The networks by the names sslc's checkpoint gives them (`online.backbone`)."""
        raise NotImplementedError

    def views(self, img: torch.Tensor, rng: SplitMix) -> dict:
        raise NotImplementedError

    def collate(self, items: list[dict]) -> dict:
        raise NotImplementedError

    def loss(self, batch: dict, epoch: float, total: float) -> tuple[torch.Tensor, dict]:
        raise NotImplementedError


def parse(method: Method, description: str, argv=None) -> argparse.Namespace:
    d = method.defaults
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--count", type=int, default=d["count"], help="training images (the first ones)")
    p.add_argument("--holdout", type=int, default=d["holdout"], help="held-out test images for the probe")
    p.add_argument("--size", type=int, default=d["size"], help="side of the source images")
    p.add_argument("--epochs", type=int, default=d["epochs"])
    p.add_argument("--batch", type=int, default=d["batch"])
    p.add_argument("--seed", type=int, default=d["seed"])
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--data-dir", default=DEFAULT_DIR, help="folder holding the four Fashion-MNIST IDX files")
    p.add_argument("--classes", type=int, default=10, help="use the items of the first N classes")
    p.add_argument("--k", type=int, default=d.get("k", 20), help="kNN neighbours")
    p.add_argument("--temperature", type=float, default=0.07, help="kNN vote temperature")
    p.add_argument("--probe-images", type=int, default=1024, help="training images in the kNN bank")
    p.add_argument("--log-every", type=int, default=10, help="steps between progress lines on stderr")
    p.add_argument("--precision", choices=("fp32", "bf16-mixed", "fp64"), default="fp32",
                   help="bf16-mixed: the forward and the loss under torch.autocast('cpu', dtype=torch.bfloat16); "
                        "fp64: weights, views and arithmetic in float64, a reference for float32's rounding")
    p.add_argument("--count-ops", type=int, metavar="N",
                   help="count the ATen operators of step N (forward, loss, backward, optimiser, EMA) with "
                        "torch.profiler, as `sslc run --count-ops N` counts sslc's")
    p.add_argument("--ops-json", default="ops.json", help="where --count-ops writes its counts")
    p.add_argument("--init", metavar="CHECKPOINT",
                   help="start from the weights of an sslc checkpoint of the same recipe instead of torch's own draws")
    return p.parse_args(argv)


@contextlib.contextmanager
def counted(on: bool, path: str, step: int, log):
    """Counts, when `on`, the ATen operators run inside, with torch.profiler (nested calls
    included, as libtorch's observer sees them), and writes them to `path` as sslc does."""
    if not on:
        yield
        return
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        yield
    ops = {e.key: e.count for e in prof.key_averages() if e.key.startswith("aten::")}
    total = sum(ops.values())
    with open(path, "w") as f:
        json.dump({"step": step, "aten": total, "ops": dict(sorted(ops.items()))}, f, indent=2)
    log(f"step {step}: {total} ATen operators ({len(ops)} kinds), in {path}")


def main(method: Method, description: str, argv=None) -> dict:
    args = parse(method, description, argv)
    torch.set_num_threads(max(args.threads, 1))
    torch.manual_seed(args.seed)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731

    if args.precision == "fp64":
        torch.set_default_dtype(torch.float64)
    data = fashion_mnist(args.data_dir, args.size, args.count, args.holdout, args.classes)
    method.build(args, data)
    if args.init:
        load_all(args.init, method.nets())
    n = data.train.shape[0]
    batch = max(1, min(args.batch, n))
    per_epoch = max(n // batch, 1)
    total_steps = per_epoch * args.epochs
    epochs = float(args.epochs)
    trainable = sum(p.numel() for p in method.opt.params)
    log(f"{method.name}: {n} training images, {args.epochs} epochs × {per_epoch} steps of {batch} images, "
        f"{trainable} trainable parameters, {torch.get_num_threads()} threads")

    probe = dict(k=args.k, temperature=args.temperature, images=args.probe_images)
    untrained = knn(method.probe_net, method.probe_has_cls, data, **probe)
    log(f"probe on the untrained network: {untrained * 100:.1f}%")

    order = None
    view_s = tensor_s = 0.0
    images = 0
    first_loss = last_loss = None
    for step in range(total_steps):
        epoch, within = divmod(step, per_epoch)
        if within == 0 or order is None:
            order = epoch_order(args.seed, epoch, n)
        t = step / per_epoch
        idx = order[within * batch: (within + 1) * batch]
        t0 = time.perf_counter()
        views = method.collate([method.views(rgb(data.train[i]), view_rng(args.seed, epoch, i)) for i in idx])
        if args.precision == "fp64":
            views = {k: v.to(torch.float64) if torch.is_tensor(v) and v.is_floating_point() else v
                     for k, v in views.items()}
        t1 = time.perf_counter()
        counting = args.count_ops == step + 1
        with counted(counting, args.ops_json, step + 1, log):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16-mixed"):
                loss, terms = method.loss(views, t, epochs)
            value = loss.item()
            if not math.isfinite(value) or not all(math.isfinite(v) for v in terms.values()):
                bad = {k: v for k, v in terms.items() if not math.isfinite(v)}
                raise SystemExit(f"step {step + 1}: a loss is not finite: {bad or value}")
            lr = method.opt.step(loss, t, epochs)
            if method.ema is not None:
                method.ema.update(t, epochs)
        t2 = time.perf_counter()
        view_s += t1 - t0
        tensor_s += t2 - t1
        images += batch
        first_loss = value if first_loss is None else first_loss
        last_loss = value
        if (step + 1) % max(args.log_every, 1) == 0 or step + 1 == total_steps:
            parts = ", ".join(f"{k} {v:.4f}" for k, v in terms.items())
            log(f"step {step + 1}/{total_steps} epoch {t:.2f} loss {value:.4f} ({parts}) lr {lr:.2e} "
                f"{images / max(view_s + tensor_s, 1e-9):.0f} img/s")
    train_s = view_s + tensor_s
    log(f"trained {total_steps} steps in {train_s:.1f}s (views {view_s:.1f}s, tensors {tensor_s:.1f}s); "
        f"loss {first_loss} → {last_loss}")

    trained = knn(method.probe_net, method.probe_has_cls, data, **probe)
    log(f"probe on the trained network: {trained * 100:.1f}%")
    result = {
        "method": method.name,
        "untrained_knn": untrained,
        "knn": trained,
        "images_per_s": images / max(train_s, 1e-9),
        "train_seconds": train_s,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    print(json.dumps(result), flush=True)
    return result
