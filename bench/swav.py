"""SwAV, as sslc trains bench/recipes/swav.ssl, in PyTorch, on Fashion-MNIST, with lightly's loss.

Usage and what it computes: as bench/barlow_twins.py (the same backbone, views, optimiser and
probe), with the projector replaced by sslc's `dino_head` (sslbench.nets.DinoHead: 128 → 256 →
64 with GELU between, L2-normalised, against 64 weight-normalised prototypes, decayed as every
matrix is) and the loss lightly.loss.SwaVLoss(temperature 0.1, 3 Sinkhorn iterations, ε 0.05)
of the two views' prototype scores: each view's Sinkhorn codes, without gradient, predicted by
the other view, the two halves averaged.
"""

import sys

from lightly.loss import SwaVLoss

from barlow_twins import BarlowTwins
from sslbench.nets import DinoHead
from sslbench.optim import SgdMatrices
from sslbench.resnet import ResNet
from sslbench.run import main
from sslbench.schedules import Cosine


class Swav(BarlowTwins):
    name = "swav"

    def build(self, args, data):
        self.backbone = ResNet(depth=18, width=16, running=True)
        self.head = DinoHead(128, hidden=256, bottleneck=64, prototypes=64, layers=2)
        self.opt = SgdMatrices([self.backbone, self.head], lr=Cosine(0.05, 0.0), weight_decay=5e-4, momentum=0.9)
        self.ema = None
        self.loss_fn = SwaVLoss(temperature=0.1, sinkhorn_iterations=3, sinkhorn_epsilon=0.05)
        self.probe_net, self.probe_has_cls = self.backbone, False

    def nets(self):
        return {"online.backbone": self.backbone, "online.head": self.head}

    def loss(self, b, epoch, total):
        s1 = self.head(self.backbone(b["v1"]).mean(1))
        s2 = self.head(self.backbone(b["v2"]).mean(1))
        loss = self.loss_fn([s1, s2], [])
        return loss, {"swav": loss.item()}


if __name__ == "__main__":
    main(Swav(), __doc__.splitlines()[0], sys.argv[1:])
