"""DCL, as sslc trains recipes/dcl.ssl, in PyTorch, on Fashion-MNIST, with lightly's DCL loss.

Usage:
    .torch/bin/python bench/dcl.py [--count 4096] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout as bench/simclr.py does.

recipes/dcl.ssl is recipes/simclr.ssl with another loss, written in sslc's tensor algebra: each
view's unit-length projection against the other view of its image, the denominator over every
other image's two views but not its own (decoupled contrastive learning, Yeh et al. 2022), at
temperature 0.1. Here that loss is lightly.loss.DCLLoss(temperature=0.1), which
bench/lightly_check.py finds equal to the recipe's expression in float64; views, networks,
optimiser and probe are bench/simclr.py's.
"""

import sys

from lightly.loss import DCLLoss
from simclr import SimClr

from sslbench.run import main


class Dcl(SimClr):
    name = "dcl"

    def build(self, args, data):
        super().build(args, data)
        self.dcl = DCLLoss(temperature=0.1)

    def loss(self, b, epoch, total):
        z = self.projector(self.backbone(b["v"])[:, 0])
        loss = self.dcl(z[0::2], z[1::2])
        return loss, {"dcl": loss.item()}


if __name__ == "__main__":
    main(Dcl(), __doc__.splitlines()[0], sys.argv[1:])
