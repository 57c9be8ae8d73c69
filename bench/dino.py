"""DINO, as sslc trains recipes/dino.ssl, in PyTorch, on Fashion-MNIST, with lightly's DINO loss.

Usage:
    .torch/bin/python bench/dino.py [--count 4096] [--holdout 1024] [--size 32]
        [--epochs 8] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout as bench/simclr.py does.

What it computes (recipes/dino.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- views, drawn in sslc's order: g1 = random_resized_crop(32, scale 0.4–1) → flip 0.5 →
  color_jitter(0.4, 0.4, 0.2, 0.1, p 0.8) → grayscale 0.2 → blur 1.0; g2 the same with blur 0.1
  and solarize 0.2; four local crops from one declaration (`view local[4]`, each op drawing for
  the four in turn): random_resized_crop(16, scale 0.05–0.4) → flip → jitter → grayscale →
  blur 0.5.
- student: ViT(patch 4, dim 64, depth 4, heads 4, mlp 128, CLS) and a DINO head (MLP 64 → 256
  → 256 → 64 with GELU, unit length, 256 prototypes of unit length, held for the first epoch);
  teacher: an EMA of both, momentum cosine 0.99 → 1.
- loss: lightly.loss.DINOLoss(output_dim=256, student_temp=0.1, center_momentum=0.9) of the
  teacher's two global outputs against the student's six (both globals, then the four locals),
  every pair but a view with itself, the teacher temperature linear 0.04 → 0.07 over 2 epochs
  (given to the loss at each step's fractional epoch). sslc centres the teacher with a
  `center(momentum: 0.9)` op and leaves soft_ce's own centring off; lightly centres inside the
  loss, with the same rule (the centre moves to 0.9·c + 0.1·mean of this step's raw teacher
  outputs, after they are used).
- AdamW, lr warmup 1 epoch then cosine 1e-3 → 1e-5, weight decay cosine 0.04 → 0.4 on linear
  weights, per-tensor clipping at 3.

The probe is the recipe's: the class token of the teacher's blocks 1, 2 and 3, each
layer-normalised without affine parameters, and of its final tokens, side by side (DINO's linear
probe reads the last four blocks).
"""

import sys

import torch
import torch.nn.functional as F
from lightly.loss import DINOLoss
from torch import nn

from sslbench import augment as A
from sslbench.data import normalise
from sslbench.nets import DinoHead, ViT, patchify
from sslbench.optim import AdamWMatrices, Ema, copy_of
from sslbench.run import Method, main
from sslbench.schedules import Cosine, Linear, Warmup

JITTER = (0.4, 0.4, 0.2, 0.1)
TEACHER_TEMP = Linear(0.04, 0.07, epochs=2)


class LastFour(nn.Module):
    """The recipe's `last_four`: blocks 1 to 3's tokens, each standardised over its features
    (eps 1e-6, sslc's `layer_norm`), and the final tokens, concatenated along the features."""

    def __init__(self, vit: ViT):
        super().__init__()
        self.vit = vit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        v = self.vit
        b, _, h, w = x.shape
        t = v.embed(patchify(x, v.patch)) + v.pos(h // v.patch, w // v.patch)
        t = torch.cat([v.cls.expand(b, 1, v.dim), t], 1)
        inner = []
        for block in v.blocks:
            t = block(t)
            inner.append(F.layer_norm(t, (v.dim,), eps=1e-6))
        return torch.cat(inner[:3] + [v.norm(t)], -1)


class Dino(Method):
    name = "dino"
    defaults = dict(count=4096, holdout=1024, size=32, epochs=8, batch=64, seed=0)

    def build(self, args, data):
        self.backbone = ViT(patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, cls=True, grid=(8, 8))
        self.head = DinoHead(64, hidden=256, bottleneck=64, prototypes=256, layers=3)
        self.t_backbone, self.t_head = copy_of(self.backbone), copy_of(self.head)
        self.opt = AdamWMatrices(
            [self.backbone, self.head],
            lr=Warmup(1, Cosine(1e-3, 1e-5)),
            weight_decay=Cosine(0.04, 0.4),
            betas=(0.9, 0.999),
            clip=3.0,
            held=[(self.head.last, 1.0)],  # freeze_last_epochs: 1
        )
        self.ema = Ema([(self.t_backbone, self.backbone), (self.t_head, self.head)], Cosine(0.99, 1.0))
        self.dino = DINOLoss(output_dim=256, student_temp=0.1, center_momentum=0.9)
        self.probe_net, self.probe_has_cls = LastFour(self.t_backbone), True

    def nets(self):
        return {"student.backbone": self.backbone, "student.head": self.head,
                "teacher.backbone": self.t_backbone, "teacher.head": self.t_head}

    def views(self, img, rng):
        g1 = A.pipeline(img, rng, 32, (0.4, 1.0), JITTER, 1.0)
        g2 = A.pipeline(img, rng, 32, (0.4, 1.0), JITTER, 0.1, 0.2)
        local = A.pipelines(img, rng, 4, 16, (0.05, 0.4), JITTER, 0.5)
        return {"g": torch.stack([g1, g2]), "l": torch.stack(local)}

    def collate(self, items):
        g, l = torch.stack([it["g"] for it in items]), torch.stack([it["l"] for it in items])
        return {"g": normalise(g.reshape(-1, *g.shape[2:])), "l": normalise(l.reshape(-1, *l.shape[2:])),
                "images": len(items)}

    def loss(self, b, epoch, total):
        n = b["images"]
        sg = self.head(self.backbone(b["g"])[:, 0]).reshape(n, 2, -1)
        sl = self.head(self.backbone(b["l"])[:, 0]).reshape(n, 4, -1)
        with torch.no_grad():
            tg = self.t_head(self.t_backbone(b["g"])[:, 0]).reshape(n, 2, -1)
        teacher = [tg[:, 0], tg[:, 1]]
        student = [sg[:, 0], sg[:, 1]] + [sl[:, i] for i in range(4)]
        loss = self.dino(teacher, student, teacher_temp=TEACHER_TEMP.at(epoch, total))
        return loss, {"dino": loss.item()}


if __name__ == "__main__":
    main(Dino(), __doc__.splitlines()[0], sys.argv[1:])
