"""Barlow Twins, as sslc trains bench/recipes/barlow_twins.ssl, in PyTorch, on Fashion-MNIST, with
lightly's loss.

Usage:
    .torch/bin/python bench/barlow_twins.py [--count 2048] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout: method, untrained_knn, knn, images_per_s, train_seconds,
peak_rss_mib; progress on stderr.

What it computes (bench/recipes/barlow_twins.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- views v1, v2 as bench/byol.py makes them (BYOL's augmentations); normalised (x − 0.5)/0.25.
- backbone ResNet-18 with the small stem at width 16, BatchNorm keeping running statistics
  (sslbench.resnet); features the mean of its 4×4 grid; projector MLP 128 → 256 → 256 → 256
  (BatchNorm, ReLU between). Each network call normalises over its own view's batch.
- loss lightly.loss.BarlowTwinsLoss(λ 5e-3) of the two views' projections.
- SGD, momentum 0.9, lr cosine 0.05 → 0 over the run, weight decay 5e-4 coupled into the
  gradients of convolution and linear weights; batch 64, 8 epochs; kNN probe on the backbone's
  mean token with its running statistics, k 20.

bench/vicreg.py is the same with lightly's VICRegLoss. Where this cannot match sslc exactly, and
why: as in bench/byol.py.
"""

import sys

from lightly.loss import BarlowTwinsLoss

from sslbench import augment as A
from sslbench.data import stack_views
from sslbench.nets import Mlp
from sslbench.optim import SgdMatrices
from sslbench.resnet import ResNet
from sslbench.run import Method, main
from sslbench.schedules import Cosine

JITTER = (0.4, 0.4, 0.2, 0.1)


class BarlowTwins(Method):
    name = "barlow_twins"
    defaults = dict(count=2048, holdout=1024, size=32, epochs=8, batch=64, seed=0)

    def criterion(self):
        return BarlowTwinsLoss(lambda_param=5e-3)

    def build(self, args, data):
        self.backbone = ResNet(depth=18, width=16, running=True)
        self.projector = Mlp(128, 256, 256, layers=3, bn=True)
        self.opt = SgdMatrices([self.backbone, self.projector], lr=Cosine(0.05, 0.0), weight_decay=5e-4,
                               momentum=0.9)
        self.ema = None
        self.loss_fn = self.criterion()
        self.probe_net, self.probe_has_cls = self.backbone, False

    def nets(self):
        return {"online.backbone": self.backbone, "online.projector": self.projector}

    def views(self, img, rng):
        return A.byol_views(img, rng, JITTER)

    def collate(self, items):
        return stack_views(items)

    def loss(self, b, epoch, total):
        z1 = self.projector(self.backbone(b["v1"]).mean(1))
        z2 = self.projector(self.backbone(b["v2"]).mean(1))
        loss = self.loss_fn(z1, z2)
        return loss, {self.name.split("_")[0]: loss.item()}


if __name__ == "__main__":
    main(BarlowTwins(), __doc__.splitlines()[0], sys.argv[1:])
