"""BYOL, as sslc trains recipes/byol.ssl, in PyTorch, on Fashion-MNIST.

Usage:
    .torch/bin/python bench/byol.py [--count 4096] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 128] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout: method, untrained_knn, knn, images_per_s, train_seconds,
peak_rss_mib; progress on stderr.

What it computes (recipes/byol.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- views v1, v2 of each image: random_resized_crop(32, scale 0.2–1, ratio 3/4–4/3) → flip 0.5 →
  color_jitter(0.4, 0.4, 0.2, 0.1, p 0.8) → grayscale 0.2 → blur(σ 0.1–2 at 224 px, p 1.0 for
  v1, 0.1 for v2) → v2 only: solarize(p 0.2, threshold 0.5); normalised (x − 0.5)/0.25.
- backbone ViT(patch 4, dim 64, depth 4, heads 4, mlp 128, CLS), positions referenced to the
  8×8 grid of the 32-px views; projector and predictor MLP 64 → 256 (BatchNorm, ReLU) → 64.
- online = backbone, projector, predictor; target = EMA of backbone and projector, momentum
  cosine 0.99 → 1 over the run.
- loss neg_cosine(p1, sg(t2)) + neg_cosine(p2, sg(t1)), p = predictor(projector(cls(backbone(v)))),
  t = target projector(cls(target backbone(v))); each network call normalises its BatchNorms
  over its own view's batch.
- AdamW(β 0.9/0.999, ε 1e-8), lr warmup 1 epoch 0 → 2e-3 then cosine 2e-3 → 1e-5 over the
  other epochs, weight decay 0.05 on linear weights (not the class token), no clip.
- batch 128, 8 epochs, seed 0; kNN probe on the online backbone's class token, k 20, T 0.07,
  bank = first 1024 training images.

Where this cannot match sslc exactly, and why:
- Random numbers: the epoch order, the views and the masks come from sslc's own streams
  (sslbench.splitmix), so both see the same batches; the weights are torch's own draws unless
  `--init` loads sslc's (bench/crosscheck.py does).
- Float arithmetic: PyTorch kernels (fused scaled-dot-product attention, F.batch_norm, foreach
  AdamW) sum in other orders than burn's flex backend, and the views apply sslc's formulas as
  linear maps (bilinear and blur weights as matrices, colour steps as 3×3 matrices); results
  differ in the last bits.
- Views are generated in the main process, one image after the other; sslc runs them in
  parallel on its thread pool (runtime/src/exec/views/mod.rs `batch`). This changes only the
  time, which is counted in images_per_s as sslc counts its view stage.
- The data source: recipes/byol.ssl trains on `scenes`; this benchmark uses sslc's
  `fashion_mnist` source instead (as `--set data.source=...` would), so the comparable sslc run
  is the recipe with that source.
"""

import sys

import torch

from sslbench import augment as A
from sslbench.data import stack_views
from sslbench.losses import neg_cosine
from sslbench.nets import Mlp, ViT
from sslbench.optim import AdamWMatrices, Ema, copy_of
from sslbench.run import Method, main
from sslbench.schedules import Constant, Cosine, Warmup

JITTER = (0.4, 0.4, 0.2, 0.1)


class Byol(Method):
    name = "byol"
    defaults = dict(count=4096, holdout=1024, size=32, epochs=8, batch=128, seed=0)

    def build(self, args, data):
        self.backbone = ViT(patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, cls=True, grid=(8, 8))
        self.projector = Mlp(64, 256, 64, layers=2, bn=True)
        self.predictor = Mlp(64, 256, 64, layers=2, bn=True)
        self.t_backbone, self.t_projector = copy_of(self.backbone), copy_of(self.projector)
        self.opt = AdamWMatrices(
            [self.backbone, self.projector, self.predictor],
            lr=Warmup(1, Cosine(2e-3, 1e-5)),
            weight_decay=Constant(0.05),
            betas=(0.9, 0.999),
            clip=0.0,
        )
        self.ema = Ema([(self.t_backbone, self.backbone), (self.t_projector, self.projector)], Cosine(0.99, 1.0))
        self.probe_net, self.probe_has_cls = self.backbone, True

    def nets(self):
        return {"online.backbone": self.backbone, "online.projector": self.projector,
                "online.predictor": self.predictor, "target.backbone": self.t_backbone,
                "target.projector": self.t_projector}

    def views(self, img, rng):
        return A.byol_views(img, rng, JITTER)

    def collate(self, items):
        return stack_views(items)

    def loss(self, b, epoch, total):
        online = lambda v: self.predictor(self.projector(self.backbone(v)[:, 0]))  # noqa: E731
        p1, p2 = online(b["v1"]), online(b["v2"])
        with torch.no_grad():
            t1 = self.t_projector(self.t_backbone(b["v1"])[:, 0])
            t2 = self.t_projector(self.t_backbone(b["v2"])[:, 0])
        byol = neg_cosine(p1, t2) + neg_cosine(p2, t1)
        return byol, {"byol": byol.item()}


if __name__ == "__main__":
    main(Byol(), __doc__.splitlines()[0], sys.argv[1:])
