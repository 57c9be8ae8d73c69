"""SiameseIM, as sslc trains recipes/siameseim.ssl, in PyTorch, on Fashion-MNIST.

Usage:
    .torch/bin/python bench/siameseim.py [--count 2048] [--holdout 1024] [--size 32]
        [--epochs 30] [--batch 64] [--seed 0] [--threads 2] [--data-dir DIR]
Prints one JSON line on stdout: method, untrained_knn, knn, images_per_s, train_seconds,
peak_rss_mib; progress on stderr.

What it computes (recipes/siameseim.ssl, the data source replaced by
fashion_mnist(size, count, holdout)):
- views v1, v2: flip 0.5 → random_resized_crop(32, scale 0.08–1, ratio 3/4–4/3) →
  color_jitter(0.4, 0.4, 0.2, 0.1, p 0.8) → grayscale 0.2 → blur (p 1.0 for v1, 0.1 for v2) →
  v2 only: solarize 0.2. Each crop records its box in the original image and its flip.
- geometry of v2 in v1's frame as shown: (Δi, Δj, sh, sw, rflip) = ((y2 − y1)/h1, Δj, h2/h1,
  w2/w1, flip1 ≠ flip2) with Δj = (x2 − x1)/w1, or (x1 + w1 − x2 − w2)/w1 when v1 is flipped;
  boxes in original-image pixels.
- mask: BEiT block mask of exactly 38 of the 64 patches of v1 (min block 4, aspect 0.3–3.3),
  per image; the 26 kept patches are encoded.
- encoder ViT(patch 4, dim 64, depth 4, heads 4, mlp 128, CLS) with its patch embedding held
  fixed for ever (no update, no decay); neck and head: linear 64 → 64; projector: 1 block;
  predictor: 2 blocks; relpos: coordinate sin-cos embedding (f = 8) + linear 64 → 64.
- visible = projector(neck(encoder(v1, mask))) [27 tokens, CLS first]; queries = relpos(geometry)
  [64]; pred = last 64 tokens of head(predictor([visible, queries])).
  t = layer_norm(patches(target projector(target neck(target encoder(v2))))) (no affine, ε 1e-6).
- loss unigrad(pred, sg(t), λ 0.02) over all batch·64 tokens.
- target = EMA of encoder, neck, projector, momentum cosine 0.995 → 1 over the run.
- AdamW(β 0.9/0.95, ε 1e-8), lr warmup 1 epoch 0 → 1e-3 then cosine 1e-3 → 1e-5, weight decay
  0.05 on linear weights (not the class token), gradient norm clipped to 1 per parameter tensor.
- batch 64, 30 epochs, seed 0; kNN probe on the online encoder's class token, k 20, T 0.07,
  bank = first 1024 training images.

Where this cannot match sslc exactly, and why:
- Random numbers: the epoch order, the views and the masks come from sslc's own streams
  (sslbench.splitmix), so both see the same batches; the weights are torch's own draws unless
  `--init` loads sslc's (bench/crosscheck.py does).
- Float arithmetic: PyTorch kernels sum in other orders than burn's flex backend, and the views
  apply sslc's formulas as linear maps (bilinear and blur weights as matrices, colour steps as
  3×3 matrices); results differ in the last bits.
- The frozen patch embedding keeps requires_grad, so its gradient is computed and then dropped
  before the update, as sslc does (weights.rs `held`, trainer/update.rs), rather than skipped.
- Views are generated in the main process, one image after the other; sslc runs them in
  parallel (counted in images_per_s by both).
- The data source: recipes/siameseim.ssl trains on `scenes`; this benchmark uses sslc's
  `fashion_mnist` source instead.
"""

import math
import sys

import torch

from sslbench import augment as A
from sslbench.data import normalise
from sslbench.losses import layer_norm, unigrad
from sslbench.nets import CoordEmbed, Transformer, ViT, linear
from sslbench.optim import AdamWMatrices, Ema, copy_of
from sslbench.run import Method, main
from sslbench.schedules import Constant, Cosine, Warmup

JITTER = (0.4, 0.4, 0.2, 0.1)
RATIO = (0.75, 1.3333)
SIGMA = (0.1, 2.0)


class SiameseIM(Method):
    name = "siameseim"
    defaults = dict(count=2048, holdout=1024, size=32, epochs=30, batch=64, seed=0)

    def build(self, args, data):
        self.encoder = ViT(patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, cls=True, grid=(8, 8))
        self.neck = linear(64, 64)
        self.projector = Transformer(64, depth=1, heads=4, mlp_ratio=2)
        self.relpos = CoordEmbed(64, grid=8)
        self.predictor = Transformer(64, depth=2, heads=4, mlp_ratio=2)
        self.head = linear(64, 64)
        self.t_encoder, self.t_neck, self.t_projector = (
            copy_of(self.encoder), copy_of(self.neck), copy_of(self.projector))
        self.opt = AdamWMatrices(
            [self.encoder, self.neck, self.projector, self.relpos, self.predictor, self.head],
            lr=Warmup(1, Cosine(1e-3, 1e-5)),
            weight_decay=Constant(0.05),
            betas=(0.9, 0.95),
            clip=1.0,
            held=[(self.encoder.embed.weight, math.inf), (self.encoder.embed.bias, math.inf)],
        )
        self.ema = Ema(
            [(self.t_encoder, self.encoder), (self.t_neck, self.neck), (self.t_projector, self.projector)],
            Cosine(0.995, 1.0),
        )
        self.probe_net, self.probe_has_cls = self.encoder, True

    def nets(self):
        online = {f"online.{k}": getattr(self, k) for k in ("encoder", "neck", "projector", "relpos", "predictor", "head")}
        target = {"target.encoder": self.t_encoder, "target.neck": self.t_neck, "target.projector": self.t_projector}
        return {**online, **target}

    def _view(self, img, rng, blur_p, solarize_p):
        x, crop = A.flip(img, A.Crop.full(img), 0.5, rng)
        x, crop = A.random_resized_crop(x, crop, 32, (0.08, 1.0), RATIO, rng)
        x = A.color_jitter(x, JITTER, 0.8, rng)
        x = A.grayscale(x, 0.2, rng)
        x = A.blur(x, blur_p, SIGMA, rng)
        if solarize_p is not None:
            x = A.solarize(x, solarize_p, 0.5, rng)
        return x, crop

    def views(self, img, rng):
        v1, c1 = self._view(img, rng, 1.0, None)
        v2, c2 = self._view(img, rng, 0.1, 0.2)
        m = A.kept(A.block_mask(8, 38, 4, (0.3, 3.3), rng))
        return {"v1": v1, "v2": v2, "m": m, "geometry": A.relative(c2, c1)}

    def collate(self, items):
        return {
            "v1": normalise(torch.stack([it["v1"] for it in items])),
            "v2": normalise(torch.stack([it["v2"] for it in items])),
            "m": torch.tensor([it["m"] for it in items]),
            "geometry": torch.tensor([it["geometry"] for it in items], dtype=torch.float32),
        }

    def loss(self, b, epoch, total):
        visible = self.projector(self.neck(self.encoder(b["v1"], keep=b["m"])))
        queries = self.relpos(b["geometry"])
        pred = self.head(self.predictor(torch.cat([visible, queries], 1)))[:, -64:]
        with torch.no_grad():
            t = self.t_projector(self.t_neck(self.t_encoder(b["v2"])))
            t = layer_norm(t[:, 1:])
        loss = unigrad(pred, t, 0.02)
        return loss, {"unigrad": loss.item()}


if __name__ == "__main__":
    main(SiameseIM(), __doc__.splitlines()[0], sys.argv[1:])
