"""SimCLR, as sslc trains recipes/simclr.ssl, in PyTorch, on Fashion-MNIST, with lightly's NT-Xent.

Usage:
    .torch/bin/python bench/simclr.py [--count 4096] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout: method, untrained_knn, knn, images_per_s, train_seconds,
peak_rss_mib; progress on stderr.

What it computes (recipes/simclr.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- two views of each image from one declaration (`view v[2]`): each op of the chain draws for
  the first view, then for the second, before the next op (sslc's order): random_resized_crop(32,
  scale 0.2–1, ratio 3/4–4/3) → flip 0.5 → color_jitter(0.4, 0.4, 0.4, 0.1, p 0.8) →
  grayscale 0.2 → blur(σ 0.1–2 at 224 px, p 0.5); normalised (x − 0.5)/0.25.
- backbone ViT(patch 4, dim 64, depth 4, heads 4, mlp 128, CLS); projector MLP 64 → 256
  (BatchNorm, ReLU) → 64, then BatchNorm without scale or shift; one call on both views, so its
  BatchNorms see all 2B rows.
- loss NT-Xent at temperature 0.2 over the 2B projections: lightly.loss.NTXentLoss, which
  bench/lightly_check.py finds equal to sslc's nt_xent in float64.
- AdamW(β 0.9/0.999, ε 1e-8), lr warmup 1 epoch 0 → 2e-3 then cosine 2e-3 → 1e-5, weight decay
  0.05 on linear weights (not the class token), no clip; kNN probe on the class token.

Where this cannot match sslc exactly, and why: as in bench/byol.py (random numbers are sslc's
own streams; float arithmetic sums in other orders; views made one image after the other).
"""

import sys

import torch
from lightly.loss import NTXentLoss

from sslbench import augment as A
from sslbench.data import normalise
from sslbench.nets import Mlp, ViT
from sslbench.optim import AdamWMatrices
from sslbench.run import Method, main
from sslbench.schedules import Constant, Cosine, Warmup

JITTER = (0.4, 0.4, 0.4, 0.1)


class SimClr(Method):
    name = "simclr"
    defaults = dict(count=4096, holdout=1024, size=32, epochs=8, batch=64, seed=0)

    def build(self, args, data):
        self.backbone = ViT(patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, cls=True, grid=(8, 8))
        self.projector = Mlp(64, 256, 64, layers=2, bn=True, out_plain=True)
        self.opt = AdamWMatrices(
            [self.backbone, self.projector],
            lr=Warmup(1, Cosine(2e-3, 1e-5)),
            weight_decay=Constant(0.05),
            betas=(0.9, 0.999),
            clip=0.0,
        )
        self.ema = None
        self.nt_xent = NTXentLoss(temperature=0.2)
        self.probe_net, self.probe_has_cls = self.backbone, True

    def nets(self):
        return {"online.backbone": self.backbone, "online.projector": self.projector}

    def views(self, img, rng):
        return {"v": torch.stack(A.pipelines(img, rng, 2, 32, (0.2, 1.0), JITTER, 0.5))}

    def collate(self, items):
        # Each image's two views consecutively, as sslc's rows are.
        v = torch.stack([it["v"] for it in items])
        return {"v": normalise(v.reshape(-1, *v.shape[2:]))}

    def loss(self, b, epoch, total):
        z = self.projector(self.backbone(b["v"])[:, 0])
        loss = self.nt_xent(z[0::2], z[1::2])
        return loss, {"contrast": loss.item()}


if __name__ == "__main__":
    main(SimClr(), __doc__.splitlines()[0], sys.argv[1:])
