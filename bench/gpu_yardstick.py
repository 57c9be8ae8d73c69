"""PyTorch's speed on the device for BYOL at a paper profile's network: timm's ViT-S/16 with
sslc's projector and predictor (Linear-BN-ReLU-Linear, 4096 → 256), an EMA target, AdamW, two
views of `--batch` images at 224 px already on the device (no data loading or augmentation),
in eager float32 by default, under autocast with `--precision bf16` (the forward and the loss in
torch.autocast's bfloat16, the optimiser and the EMA in float32), and with `--compile` through
torch.compile. It is the ceiling of the device step that `scripts/gpu-check.sh`'s sslc figures
are read against; MFU counts BYOL's 74 GFLOPs per image at 224 px against `--peak-tflops`.

    python3 bench/gpu_yardstick.py [--batch 64] [--steps 50] [--warmup 10] [--device cuda]
        [--precision fp32|bf16] [--compile] [--peak-tflops 989]
"""

import argparse
import copy
import json
import time

import timm
import torch
from torch import nn


def mlp(dim: int) -> nn.Module:
    return nn.Sequential(nn.Linear(dim, 4096), nn.BatchNorm1d(4096), nn.ReLU(), nn.Linear(4096, 256))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    ap.add_argument("--compile", action="store_true", help="the step's forward through torch.compile")
    ap.add_argument("--peak-tflops", type=float, default=989.0, help="the device's dense bf16 peak (H100 SXM: 989)")
    args = ap.parse_args()
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    backbone = timm.create_model("vit_small_patch16_224", pretrained=False, num_classes=0).to(dev)
    projector, predictor = mlp(384).to(dev), mlp(256).to(dev)
    online = nn.ModuleList([backbone, projector, predictor])
    target = copy.deepcopy(nn.ModuleList([backbone, projector])).requires_grad_(False)
    opt = torch.optim.AdamW(online.parameters(), lr=1e-4, weight_decay=0.1)
    v1 = torch.randn(args.batch, 3, 224, 224, device=dev)
    v2 = torch.randn(args.batch, 3, 224, 224, device=dev)

    def forward() -> torch.Tensor:
        p1, p2 = predictor(projector(backbone(v1))), predictor(projector(backbone(v2)))
        with torch.no_grad():
            t1, t2 = target[1](target[0](v1)), target[1](target[0](v2))
        cos = nn.functional.cosine_similarity
        return -(cos(p1, t2).mean() + cos(p2, t1).mean())

    run = torch.compile(forward) if args.compile else forward

    def step() -> float:
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            loss = run()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for o, t in zip(list(backbone.parameters()) + list(projector.parameters()), target.parameters()):
                t.mul_(0.996).add_(o, alpha=0.004)
        return loss.item()

    for _ in range(args.warmup):
        step()
    sync()
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    secs = time.perf_counter() - start
    params = sum(p.numel() for p in online.parameters())
    rate = args.batch * args.steps / secs
    print(json.dumps({
        "model": "byol vit_small_patch16_224", "batch": args.batch, "parameters": params,
        "precision": args.precision, "compiled": args.compile,
        "images_per_s": rate, "s_per_step": secs / args.steps,
        "mfu": rate * 74e9 / (args.peak_tflops * 1e12),
        # What tensors held at most, and what the caching allocator held (what nvidia-smi sees,
        # less the CUDA context): sslc's peak comes from nvidia-smi, so compare it with the
        # latter plus the context, as scripts/gpu-check.sh samples both the same way.
        "peak_mib": torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else None,
        "reserved_mib": torch.cuda.max_memory_reserved() / 2**20 if dev.type == "cuda" else None,
    }))


if __name__ == "__main__":
    main()
