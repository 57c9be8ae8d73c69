"""MoCo v2, as sslc trains recipes/mocov2.ssl, in PyTorch, on Fashion-MNIST, with lightly's
NT-Xent and memory bank.

Usage:
    .torch/bin/python bench/mocov2.py [--count 4096] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout as bench/simclr.py does.

What it computes (recipes/mocov2.ssl): bench/simclr.py's two views and backbone; a projector
MLP 64 → 256 (ReLU) → 64 without BatchNorm; keys from an EMA copy of backbone and projector
(momentum 0.99); the loss MoCo's InfoNCE at temperature 0.2 of each view's query against the
key of the other view of its image and a memory of the last 1024 keys, which then takes this
step's keys: lightly.loss.NTXentLoss(temperature=0.2, memory_bank_size=(1024, 64)).

The memory starts as sslc's does, from sslc's generator (sslbench.splitmix.queue_start). sslc
puts a step's keys in front and drops the oldest rows from the end; lightly's bank writes them
at a pointer that goes round. Both then hold the same rows, in another order, once the first
memory's rows are laid out in the bank in the order sslc drops them (the bank's first block
holds the rows sslc drops first): the loss sums over the negatives, so their order does not
matter. That needs the memory to be a whole number of steps' keys.
"""

import sys

import torch
from lightly.loss import NTXentLoss
from simclr import SimClr

from sslbench.nets import Mlp, ViT
from sslbench.optim import AdamWMatrices, Ema, copy_of
from sslbench.run import main
from sslbench.schedules import Constant, Cosine, Warmup
from sslbench.splitmix import queue_start

SIZE, DIM = 1024, 64


class MocoV2(SimClr):
    name = "mocov2"

    def build(self, args, data):
        self.backbone = ViT(patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, cls=True, grid=(8, 8))
        self.projector = Mlp(64, 256, DIM, layers=2, bn=False)
        self.k_backbone, self.k_projector = copy_of(self.backbone), copy_of(self.projector)
        self.opt = AdamWMatrices(
            [self.backbone, self.projector],
            lr=Warmup(1, Cosine(2e-3, 1e-5)),
            weight_decay=Constant(0.05),
            betas=(0.9, 0.999),
            clip=0.0,
        )
        self.ema = Ema([(self.k_backbone, self.backbone), (self.k_projector, self.projector)], Constant(0.99))
        self.moco = NTXentLoss(temperature=0.2, memory_bank_size=(SIZE, DIM))
        self.start = torch.from_numpy(queue_start(args.seed, 0, SIZE, DIM))
        self.probe_net, self.probe_has_cls = self.backbone, True

    def nets(self):
        return {"online.backbone": self.backbone, "online.projector": self.projector,
                "keys.backbone": self.k_backbone, "keys.projector": self.k_projector}

    def _fill_bank(self, rows):
        if SIZE % rows:
            sys.exit(f"the memory ({SIZE}) is not a whole number of steps' keys ({rows})")
        blocks = [self.start[SIZE - (b + 1) * rows: SIZE - b * rows] for b in range(SIZE // rows)]
        self.moco.memory_bank.bank = torch.cat(blocks).to(self.moco.memory_bank.bank.dtype)

    def loss(self, b, epoch, total):
        q = self.projector(self.backbone(b["v"])[:, 0])
        with torch.no_grad():
            k = self.k_projector(self.k_backbone(b["v"])[:, 0])
        if self.start is not None:
            self._fill_bank(k.shape[0])
            self.start = None
        # Each query against the key of its image's other view.
        swapped = k.reshape(-1, 2, k.shape[-1]).flip(1).reshape(k.shape)
        loss = self.moco(q, swapped)
        return loss, {"moco": loss.item()}


if __name__ == "__main__":
    main(MocoV2(), __doc__.splitlines()[0], sys.argv[1:])
