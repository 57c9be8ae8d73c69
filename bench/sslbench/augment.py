"""sslc's view operations on one CPU image [3, h, w] in [0, 1], and its token masks.

sslc reference: runtime/src/augment/geometry.rs (random_resized_crop, flip, Crop),
runtime/src/augment/colour.rs (color_jitter, grayscale, blur, solarize),
runtime/src/augment/masks.rs (block_mask, window_queries), runtime/src/data/image.rs
(`Image::sample`, the bilinear sampler) and runtime/src/exec/views/mod.rs (`relative`, the
SiameseIM geometry; a multi-view `view x[n]` draws its first op n times).

The random numbers come from Python's generator, not sslc's SplitMix64 streams: the draws are
the same draws in the same order from the same distributions, not the same values.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F


class Rng:
    """The draws sslc's `Rng` offers (runtime/src/rng.rs), on Python's generator."""

    def __init__(self, seed: int):
        self._r = random.Random(seed)

    def f32(self) -> float:
        return self._r.random()

    def range(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self._r.random()

    def below(self, n: int) -> int:
        return self._r.randrange(max(n, 1))

    def chance(self, p: float) -> bool:
        return self._r.random() < p


@dataclass(frozen=True)
class Crop:
    """Where a view lies in the original image (source pixels) and whether it is flipped."""

    y: float
    x: float
    h: float
    w: float
    flipped: bool = False

    @staticmethod
    def full(img: torch.Tensor) -> "Crop":
        return Crop(0.0, 0.0, float(img.shape[-2]), float(img.shape[-1]), False)


def _resample(img: torch.Tensor, y: float, x: float, h: float, w: float, size: int) -> torch.Tensor:
    """out[oy, ox] = sample(y + (oy + ½)·h/size, x + (ox + ½)·w/size), bilinear with pixel
    centres at .5 and coordinates clamped at the border (`Image::sample`)."""
    H, W = img.shape[-2:]
    o = torch.arange(size, dtype=torch.float32) + 0.5
    sy = y + o * (h / size)
    sx = x + o * (w / size)
    fy = (sy - 0.5).clamp(0.0, float(H - 1))
    fx = (sx - 0.5).clamp(0.0, float(W - 1))
    y0, x0 = fy.floor().long(), fx.floor().long()
    y1, x1 = (y0 + 1).clamp(max=H - 1), (x0 + 1).clamp(max=W - 1)
    dy, dx = (fy - y0).unsqueeze(1), fx - x0
    r0, r1 = img[:, y0], img[:, y1]  # [c, size, W]
    top = r0[:, :, x0] * (1.0 - dx) + r0[:, :, x1] * dx
    bottom = r1[:, :, x0] * (1.0 - dx) + r1[:, :, x1] * dx
    return top * (1.0 - dy) + bottom * dy


def random_resized_crop(img: torch.Tensor, frame: Crop, size: int, scale: tuple[float, float],
                        ratio: tuple[float, float], rng: Rng) -> tuple[torch.Tensor, Crop]:
    """Area fraction uniform in `scale`, aspect log-uniform in `ratio`, 10 tries, else the whole
    image; real-valued boxes (not rounded to pixels), resized bilinearly to `size`; the box is
    composed with `frame` (crop-of-crop), mirrored when the frame is flipped."""
    H, W = img.shape[-2:]
    area = float(H * W)
    chosen = None
    for _ in range(10):
        target = area * rng.range(scale[0], scale[1])
        ar = math.exp(rng.range(math.log(ratio[0]), math.log(ratio[1])))
        w = math.sqrt(target * ar)
        h = math.sqrt(target / ar)
        if w <= W and h <= H and w >= 1.0 and h >= 1.0:
            chosen = (rng.range(0.0, H - h), rng.range(0.0, W - w), h, w)
            break
    y, x, h, w = chosen if chosen is not None else (0.0, 0.0, float(H), float(W))
    out = _resample(img, y, x, h, w, size)
    fy, fx = frame.h / H, frame.w / W
    x_in_frame = W - x - w if frame.flipped else x
    crop = Crop(frame.y + y * fy, frame.x + x_in_frame * fx, h * fy, w * fx, frame.flipped)
    return out, crop


def flip(img: torch.Tensor, crop: Crop, p: float, rng: Rng) -> tuple[torch.Tensor, Crop]:
    if not rng.chance(p):
        return img, crop
    return img.flip(-1), replace(crop, flipped=not crop.flipped)


def _luma(img: torch.Tensor) -> torch.Tensor:
    return 0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2]


def _hue(img: torch.Tensor, shift: float) -> torch.Tensor:
    """Hue rotation by `shift` turns in YIQ space (colour.rs `hue`)."""
    c, s = math.cos(shift * math.tau), math.sin(shift * math.tau)
    r, g, b = img[0], img[1], img[2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    i = 0.596 * r - 0.274 * g - 0.322 * b
    q = 0.211 * r - 0.523 * g + 0.312 * b
    i2, q2 = i * c - q * s, i * s + q * c
    return torch.stack([
        y + 0.956 * i2 + 0.621 * q2,
        y - 0.272 * i2 - 0.647 * q2,
        y - 1.106 * i2 + 1.703 * q2,
    ]).clamp(0.0, 1.0)


def color_jitter(img: torch.Tensor, strength: tuple[float, float, float, float], p: float,
                 rng: Rng) -> torch.Tensor:
    """Brightness, contrast (around the mean luma), saturation (around each pixel's luma) and
    YIQ hue, in a random order, each factor uniform in [1 − s, 1 + s] floored at 0; with
    probability p. Every step clamps to [0, 1]."""
    if img.shape[0] != 3 or not rng.chance(p):
        return img
    order = [0, 1, 2, 3]
    for i in (3, 2, 1):
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    for k in order:
        s = strength[k]
        if k == 0:
            f = max(rng.range(1.0 - s, 1.0 + s), 0.0)
            img = (img * f).clamp(0.0, 1.0)
        elif k == 1:
            f = max(rng.range(1.0 - s, 1.0 + s), 0.0)
            m = _luma(img).mean()
            img = ((img - m) * f + m).clamp(0.0, 1.0)
        elif k == 2:
            f = max(rng.range(1.0 - s, 1.0 + s), 0.0)
            lum = _luma(img)
            img = ((img - lum) * f + lum).clamp(0.0, 1.0)
        elif s > 0.0:
            img = _hue(img, rng.range(-s, s))
    return img


def grayscale(img: torch.Tensor, p: float, rng: Rng) -> torch.Tensor:
    if img.shape[0] != 3 or not rng.chance(p):
        return img
    return _luma(img).unsqueeze(0).expand(3, -1, -1).contiguous()


def blur(img: torch.Tensor, p: float, sigma: tuple[float, float], rng: Rng) -> torch.Tensor:
    """Separable Gaussian, σ uniform in `sigma` × width/224, skipped below 0.05 px, radius
    ⌈3σ⌉, border pixels repeated; with probability p."""
    if not rng.chance(p):
        return img
    s = rng.range(sigma[0], sigma[1]) * img.shape[-1] / 224.0
    if s < 0.05:
        return img
    r = math.ceil(3.0 * s)
    i = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(i * i) / (2.0 * s * s))
    k = k / k.sum()
    c = img.shape[0]
    x = img.unsqueeze(0)
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    x = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)
    return x.squeeze(0)


def solarize(img: torch.Tensor, p: float, threshold: float, rng: Rng) -> torch.Tensor:
    if not rng.chance(p):
        return img
    return torch.where(img >= threshold, 1.0 - img, img)


def relative(view: Crop, frame: Crop) -> list[float]:
    """(Δi, Δj, sh, sw, rflip) of `view` in `frame` (views/mod.rs `relative`)."""
    return [
        (view.y - frame.y) / frame.h,
        (view.x - frame.x) / frame.w,
        view.h / frame.h,
        view.w / frame.w,
        1.0 if view.flipped != frame.flipped else 0.0,
    ]


# Masks: `True` marks a masked token (for window queries, every token but the selected ones).

def _choose(n: int, count: int, rng: Rng) -> list[int]:
    idx = list(range(n))
    count = min(count, n)
    for i in range(count):
        j = i + rng.below(n - i)
        idx[i], idx[j] = idx[j], idx[i]
    return idx[:count]


def block_mask(g: int, count: int, min_block: int, aspect: tuple[float, float], rng: Rng) -> list[bool]:
    """BEiT blockwise masking with an exact count (masks.rs `block_mask`)."""
    n = g * g
    count = min(count, n)
    m = [False] * n
    masked = failures = 0
    while masked < count and failures < 10:
        left = count - masked
        lo = float(min(min_block, left))
        area = rng.range(lo, float(max(left, min_block)))
        r = math.exp(rng.range(math.log(aspect[0]), math.log(aspect[1])))
        h = max(_round(math.sqrt(area * r)), 1)
        w = max(_round(math.sqrt(area / r)), 1)
        if h > g or w > g:
            failures += 1
            continue
        top, lft = rng.below(g - h + 1), rng.below(g - w + 1)
        cells = [y * g + x for y in range(top, top + h) for x in range(lft, lft + w)]
        new = sum(1 for i in cells if not m[i])
        if new == 0 or new > left:
            failures += 1
            continue
        for i in cells:
            m[i] = True
        masked += new
        failures = 0
    free = [i for i in range(n) if not m[i]]
    for k in _choose(len(free), count - masked, rng):
        m[free[k]] = True
    return m


def window_queries(g: int, w: int, rng: Rng) -> list[bool]:
    """One random token per w×w window (edge windows may be smaller) is kept (masks.rs)."""
    w = max(w, 1)
    m = [True] * (g * g)
    for wy in range(0, g, w):
        for wx in range(0, g, w):
            h, wd = min(g - wy, w), min(g - wx, w)
            y, x = wy + rng.below(h), wx + rng.below(wd)
            m[y * g + x] = False
    return m


def kept(mask: list[bool]) -> list[int]:
    """Indices of the kept tokens, in grid order (stack.rs `to_val`, Mask.keep)."""
    return [i for i, b in enumerate(mask) if not b]


def _round(v: float) -> int:
    """Rust's f32::round: halves away from zero (Python's round() rounds halves to even)."""
    return int(math.floor(v + 0.5)) if v >= 0 else -int(math.floor(-v + 0.5))
