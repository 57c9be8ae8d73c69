"""FLSL, as sslc trains recipes/flsl.ssl, in PyTorch, on Fashion-MNIST.

Usage:
    .torch/bin/python bench/flsl.py [--count 2048] [--holdout 1024] [--size 32]
        [--epochs 18] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout: method, untrained_knn, knn, images_per_s, train_seconds,
peak_rss_mib; progress on stderr.

What it computes (recipes/flsl.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- teacher_view = random_resized_crop(32, scale 0.8–1) → color_jitter(0.4, 0.4, 0.2, 0.1, p 0.8)
  → grayscale 0.2 → blur p 1.0 (σ 0.1–2 at 224 px, scaled to the view's width).
- global = crop of the teacher view's pixels (scale 0.5–1, 32 px; its colours already jittered)
  → jitter → grayscale 0.2 → blur p 0.1 → solarize p 0.2.
- local[2] = two crops of the teacher view (scale 0.05–0.4, 16 px) → jitter → grayscale 0.2 →
  blur p 0.5. Ratio 3/4–4/3 throughout; no flip.
- queries: one random token per 2×2 window of the 8×8 global grid (16) and of the 4×4 local
  grid (4); the local mask is drawn once per image and used for both local views.
- backbone ViT(patch 4, dim 64, depth 4, heads 4, mlp 128, no CLS), positions referenced to the
  8×8 grid (a 16-px local view's 4×4 grid sits at positions 0, 2, 4, 6); head DINO
  64 → 256 → 256 → 64 (GELU), L2-normalise, 64 unit-length prototypes.
- student = backbone, head; teacher = EMA of both, momentum cosine 0.996 → 1 over the run.
- zt = teacher(teacher_view); zg = student(global), qg = select(zg), q̂g = attend(qg, zg, β 0.0125),
  qg⁺ = attend(qg, zt, β 0.025); the same for the local views (each against its image's zt).
  loss = 0.03·[cos_dist(qg, q̂g) + cos_dist(ql, q̂l)]
       + 1·[soft_ce(head(q̂g), sg(teacher head(sg qg⁺))) + (local)], τ_s 0.1, τ_t linear 0.04 → 0.07
         over 3 epochs
       + 1·[mean_entropy(head(q̂g), 0.1) + mean_entropy(head(q̂l), 0.1)].
- AdamW(β 0.9/0.999, ε 1e-8), lr warmup 1 epoch 0 → 1e-3 then cosine 1e-3 → 1e-5, weight decay
  cosine 0.04 → 0.4 on linear weights (prototypes included once released; tokens not), gradient norm
  clipped to 3 per parameter tensor; the prototypes get no update and no decay while the
  fractional epoch is below 1.
- batch 64, 18 epochs, seed 0; kNN probe on the student backbone's mean token (it has no CLS),
  k 20, T 0.07, bank = first 1024 training images.

Where this cannot match sslc exactly, and why:
- Random numbers: the epoch order, the views and the masks come from sslc's own streams
  (sslbench.splitmix), so both see the same batches; the weights are torch's own draws unless
  `--init` loads sslc's (bench/crosscheck.py does).
- Float arithmetic: PyTorch kernels sum in other orders than burn's flex backend, and the views
  apply sslc's formulas as linear maps (bilinear and blur weights as matrices, colour steps as
  3×3 matrices); results differ in the last bits.
- The teacher-side qg⁺ / ql⁺ and the teacher's head run under torch.no_grad(); sslc computes
  qg⁺ on its autodiff graph and then stops the gradient. The values are the same; PyTorch does
  slightly less bookkeeping.
- Views are generated in the main process, one image after the other; sslc runs them in
  parallel (counted in images_per_s by both).
- The data source: recipes/flsl.ssl trains on `scenes`; this benchmark uses sslc's
  `fashion_mnist` source instead.
"""

import sys

import torch

from sslbench import augment as A
from sslbench.data import normalise
from sslbench.losses import attend, cosine_distance, mean_entropy, select, soft_ce
from sslbench.nets import DinoHead, ViT
from sslbench.optim import AdamWMatrices, Ema, copy_of
from sslbench.run import Method, main
from sslbench.schedules import Cosine, Linear, Warmup

JITTER = (0.4, 0.4, 0.2, 0.1)
RATIO = (0.75, 1.3333)
SIGMA = (0.1, 2.0)
BETA_SA, BETA_CA = 0.0125, 0.025
PROTOTYPES, SPREAD = 64, 1.0
TEACHER_TEMP = Linear(0.04, 0.07, epochs=3)


class Flsl(Method):
    name = "flsl"
    defaults = dict(count=2048, holdout=1024, size=32, epochs=18, batch=64, seed=0)

    def build(self, args, data):
        self.backbone = ViT(patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, cls=False, grid=(8, 8))
        self.head = DinoHead(64, hidden=256, bottleneck=64, prototypes=PROTOTYPES, layers=3)
        self.t_backbone, self.t_head = copy_of(self.backbone), copy_of(self.head)
        self.opt = AdamWMatrices(
            [self.backbone, self.head],
            lr=Warmup(1, Cosine(1e-3, 1e-5)),
            weight_decay=Cosine(0.04, 0.4),
            betas=(0.9, 0.999),
            clip=3.0,
            held=[(self.head.last, 1.0)],  # freeze_last_epochs: 1
        )
        self.ema = Ema([(self.t_backbone, self.backbone), (self.t_head, self.head)], Cosine(0.996, 1.0))
        self.probe_net, self.probe_has_cls = self.backbone, False

    def nets(self):
        return {"student.backbone": self.backbone, "student.head": self.head,
                "teacher.backbone": self.t_backbone, "teacher.head": self.t_head}

    def views(self, img, rng):
        tv, frame = A.random_resized_crop(img, A.Crop.full(img), 32, (0.8, 1.0), RATIO, rng)
        tv = A.color_jitter(tv, JITTER, 0.8, rng)
        tv = A.grayscale(tv, 0.2, rng)
        tv = A.blur(tv, 1.0, SIGMA, rng)

        g, _ = A.random_resized_crop(tv, frame, 32, (0.5, 1.0), RATIO, rng)
        g = A.color_jitter(g, JITTER, 0.8, rng)
        g = A.grayscale(g, 0.2, rng)
        g = A.blur(g, 0.1, SIGMA, rng)
        g = A.solarize(g, 0.2, 0.5, rng)

        local = [A.random_resized_crop(tv, frame, 16, (0.05, 0.4), RATIO, rng)[0] for _ in range(2)]
        local = [A.color_jitter(x, JITTER, 0.8, rng) for x in local]
        local = [A.grayscale(x, 0.2, rng) for x in local]
        local = [A.blur(x, 0.5, SIGMA, rng) for x in local]

        return {
            "teacher_view": tv,
            "global": g,
            "local": local,
            "global_queries": A.kept(A.window_queries(8, 2, rng)),
            "local_queries": A.kept(A.window_queries(4, 2, rng)),
        }

    def collate(self, items):
        return {
            "teacher_view": normalise(torch.stack([it["teacher_view"] for it in items])),
            "global": normalise(torch.stack([it["global"] for it in items])),
            # The views of one image are consecutive rows, as sslc stacks them.
            "local": normalise(torch.stack([x for it in items for x in it["local"]])),
            "global_queries": torch.tensor([it["global_queries"] for it in items]),
            "local_queries": torch.tensor([it["local_queries"] for it in items]),
        }

    def loss(self, b, epoch, total):
        with torch.no_grad():
            zt = self.t_backbone(b["teacher_view"])

        zg = self.backbone(b["global"])
        qg = select(zg, b["global_queries"], 64)
        qg_hat = attend(qg, zg, BETA_SA)
        zl = self.backbone(b["local"])
        ql = select(zl, b["local_queries"], 16)
        ql_hat = attend(ql, zl, BETA_SA)
        with torch.no_grad():
            qg_plus = attend(qg.detach(), zt, BETA_CA)
            ql_plus = attend(ql.detach(), zt, BETA_CA)
            tg_logits = self.t_head(qg_plus)
            tl_logits = self.t_head(ql_plus)

        sg_logits = self.head(qg_hat)
        sl_logits = self.head(ql_hat)

        tt = TEACHER_TEMP.at(epoch, total)
        mean_shift = cosine_distance(qg, qg_hat) + cosine_distance(ql, ql_hat)
        kmeans = soft_ce(sg_logits, tg_logits, 0.1, tt) + soft_ce(sl_logits, tl_logits, 0.1, tt)
        spread = mean_entropy(sg_logits, 0.1) + mean_entropy(sl_logits, 0.1)
        loss = 0.03 * mean_shift + 1.0 * kmeans + SPREAD * spread
        return loss, {"mean_shift": mean_shift.item(), "kmeans": kmeans.item(), "spread": spread.item()}


if __name__ == "__main__":
    main(Flsl(), __doc__.splitlines()[0], sys.argv[1:])
