"""SimSiam, as sslc trains recipes/simsiam.ssl, in PyTorch, on Fashion-MNIST, with lightly's loss.

Usage:
    .torch/bin/python bench/simsiam.py [--count 4096] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout: method, untrained_knn, knn, images_per_s, train_seconds,
peak_rss_mib; progress on stderr.

What it computes (recipes/simsiam.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- views v1, v2 of each image, each declared alone: random_resized_crop(32, scale 0.2–1, ratio
  3/4–4/3) → flip 0.5 → color_jitter(0.4, 0.4, 0.4, 0.1, p 0.8) → grayscale 0.2; normalised
  (x − 0.5)/0.25.
- backbone ResNet-18 with the small stem at width 16, BatchNorm keeping running statistics
  (sslbench.resnet); features the mean of its 4×4 grid; projector MLP 128 → 256 → 256 → 64
  (BatchNorm, ReLU between; the output normalised without scale or shift); predictor MLP
  64 → 32 (BatchNorm, ReLU) → 64. Each network call normalises over its own view's batch.
- loss ½·(D(p1, sg(z2)) + D(p2, sg(z1))), D lightly.loss.NegativeCosineSimilarity negated as
  the paper writes it (lightly returns −cos, as sslc's neg_cosine).
- SGD, momentum 0.9, lr cosine 0.05 → 0 over the run (the predictor at 0.05 throughout), weight
  decay 5e-4 coupled into the gradients of convolution and linear weights; batch 64, 8 epochs;
  kNN probe on the backbone's mean token with its running statistics, k 20.

Where this cannot match sslc exactly, and why: as in bench/byol.py (random numbers are sslc's
own streams; float arithmetic sums in other orders, F.batch_norm among them; views made one
image after the other).
"""

import sys

from lightly.loss import NegativeCosineSimilarity

from sslbench import augment as A
from sslbench.data import stack_views
from sslbench.nets import Mlp
from sslbench.optim import SgdMatrices
from sslbench.resnet import ResNet
from sslbench.run import Method, main
from sslbench.schedules import Cosine

JITTER = (0.4, 0.4, 0.4, 0.1)


def view(img, rng):
    """One view declared alone, each op drawing in turn (no blur, no solarize)."""
    x, crop = A.random_resized_crop(img, A.Crop.full(img), 32, (0.2, 1.0), A.RATIO, rng)
    x, _ = A.flip(x, crop, 0.5, rng)
    x = A.color_jitter(x, JITTER, 0.8, rng)
    return A.grayscale(x, 0.2, rng)


class SimSiam(Method):
    name = "simsiam"
    defaults = dict(count=4096, holdout=1024, size=32, epochs=8, batch=64, seed=0)

    def build(self, args, data):
        self.backbone = ResNet(depth=18, width=16, running=True)
        self.projector = Mlp(128, 256, 64, layers=3, bn=True, out_plain=True)
        self.predictor = Mlp(64, 32, 64, layers=2, bn=True)
        self.opt = SgdMatrices([self.backbone, self.projector], lr=Cosine(0.05, 0.0), weight_decay=5e-4,
                               momentum=0.9, fixed=[self.predictor])
        self.ema = None
        self.d = NegativeCosineSimilarity()
        self.probe_net, self.probe_has_cls = self.backbone, False

    def nets(self):
        return {"online.backbone": self.backbone, "online.projector": self.projector,
                "online.predictor": self.predictor}

    def views(self, img, rng):
        return {"v1": view(img, rng), "v2": view(img, rng)}

    def collate(self, items):
        return stack_views(items)

    def loss(self, b, epoch, total):
        z1 = self.projector(self.backbone(b["v1"]).mean(1))
        z2 = self.projector(self.backbone(b["v2"]).mean(1))
        loss = 0.5 * (self.d(self.predictor(z1), z2.detach()) + self.d(self.predictor(z2), z1.detach()))
        return loss, {"simsiam": loss.item()}


if __name__ == "__main__":
    main(SimSiam(), __doc__.splitlines()[0], sys.argv[1:])
