"""sslc's view operations on one CPU image [3, h, w] in [0, 1], and its token masks.

sslc reference: runtime/src/augment/geometry.rs (random_resized_crop, flip, Crop and
`Crop::relative_to`, the SiameseIM geometry), runtime/src/augment/colour.rs (color_jitter,
grayscale, blur, solarize), runtime/src/augment/masks.rs (block_mask, window_queries),
runtime/src/data/image.rs (`Image::sample`, the bilinear sampler) and
runtime/src/exec/views/mod.rs (the order of the draws: a multi-view `view x[n]` draws its first
op n times).

Every function draws from `rng` what sslc's counterpart draws, in the same order; with
sslbench.splitmix's generator (sslc's own, bit for bit) the draws are the same numbers, so a twin
sees sslc's crops, flips, jitter and masks. sslc computes in f32 throughout; these functions
compute in f64 from the same draws, so boxes agree to about 1e-7 and a draw that lands within
that of a threshold could decide otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from .splitmix import SplitMix


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


def _bilinear_matrix(start: float, length: float, n_src: int, size: int) -> torch.Tensor:
    """[size, n_src] weights of `Image::sample` along one axis: output o reads source coordinate
    start + (o + ½)·length/size, pixel centres at .5, clamped to [0, n_src − 1], linear between
    the two nearest pixels."""
    o = np.arange(size, dtype=np.float32) + np.float32(0.5)
    s = np.float32(start) + o * np.float32(length) / np.float32(size)
    f = np.clip(s - np.float32(0.5), np.float32(0.0), np.float32(n_src - 1))
    i0 = np.floor(f).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_src - 1)
    d = f - i0.astype(np.float32)
    m = np.zeros((size, n_src), dtype=np.float32)
    rows = np.arange(size)
    m[rows, i0] = np.float32(1.0) - d
    m[rows, i1] += d
    return torch.from_numpy(m)


def _filter_matrix(start: float, length: float, n_src: int, size: int) -> torch.Tensor:
    """[size, n_src] weights of augment/resize.rs's antialiased resize along one axis: a
    triangle filter of radius max(length/size, 1) source pixels around each output centre,
    clipped to the image and normalised (the nearest pixel when nothing is left)."""
    scale = np.float32(length) / np.float32(size)
    support = max(scale, np.float32(1.0))
    m = np.zeros((size, n_src), dtype=np.float32)
    for o in range(size):
        centre = np.float32(start) + (np.float32(o) + np.float32(0.5)) * scale
        lo = max(int(math.floor(centre - support)), 0)
        hi = min(int(math.ceil(centre + support)), n_src)
        taps = [(i, np.float32(1.0) - abs((np.float32(i) + np.float32(0.5) - centre) / support)) for i in range(lo, hi)]
        taps = [(i, wt) for i, wt in taps if wt > 0]
        total = sum(wt for _, wt in taps)
        if total > 0:
            for i, wt in taps:
                m[o, i] = wt / total
        else:
            m[o, min(int(max(centre, 0.0)), n_src - 1)] = 1.0
    return torch.from_numpy(m)


def _resample(img: torch.Tensor, y: float, x: float, h: float, w: float, size: int) -> torch.Tensor:
    """out[oy, ox] = sample(y + (oy + ½)·h/size, x + (ox + ½)·w/size): bilinear with pixel
    centres at .5 and coordinates clamped at the border (`Image::sample`), as the separable
    product Wy · img · Wxᵀ of the two axes' interpolation weights; where the box is larger
    than the output on either axis, both axes use the antialiasing filter instead
    (augment/resize.rs)."""
    H, W = img.shape[-2:]
    if h <= size and w <= size:
        wy = _bilinear_matrix(y, h, H, size)
        wx = _bilinear_matrix(x, w, W, size)
    else:
        wy = _filter_matrix(y, h, H, size)
        wx = _filter_matrix(x, w, W, size)
    return wy @ img @ wx.t()


def random_resized_crop(img: torch.Tensor, frame: Crop, size: int, scale: tuple[float, float],
                        ratio: tuple[float, float], rng: SplitMix) -> tuple[torch.Tensor, Crop]:
    """Area fraction uniform in `scale`, aspect log-uniform in `ratio`, 10 tries, else
    torchvision's centred fallback (the whole image when its aspect is allowed); real-valued boxes (not rounded to pixels), resized to `size` (`_resample`); the box is
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
    if chosen is None:
        # torchvision's fallback: the largest centred box of the image's aspect clamped into `ratio`.
        aspect, lo, hi = W / H, min(ratio), max(ratio)
        if aspect < lo:
            h, w = min(float(round(W / lo)), float(H)), float(W)
        elif aspect > hi:
            h, w = float(H), min(float(round(H * hi)), float(W))
        else:
            h, w = float(H), float(W)
        chosen = (math.floor((H - h) / 2), math.floor((W - w) / 2), h, w)
    y, x, h, w = chosen
    out = _resample(img, y, x, h, w, size)
    fy, fx = frame.h / H, frame.w / W
    x_in_frame = W - x - w if frame.flipped else x
    crop = Crop(frame.y + y * fy, frame.x + x_in_frame * fx, h * fy, w * fx, frame.flipped)
    return out, crop


def flip(img: torch.Tensor, crop: Crop, p: float, rng: SplitMix) -> tuple[torch.Tensor, Crop]:
    if not rng.chance(p):
        return img, crop
    return img.flip(-1), replace(crop, flipped=not crop.flipped)


_LUMA = torch.tensor([0.299, 0.587, 0.114])
_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]], dtype=np.float64)
_RGB = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.106, 1.703]], dtype=np.float64)


def _mix(img: torch.Tensor, m: np.ndarray) -> torch.Tensor:
    """Each pixel's (r, g, b) mapped by the 3×3 matrix m."""
    c, h, w = img.shape
    return (torch.from_numpy(m.astype(np.float32)) @ img.reshape(c, h * w)).reshape(c, h, w)


def _luma(img: torch.Tensor) -> torch.Tensor:
    """0.299 r + 0.587 g + 0.114 b, [h, w]."""
    c, h, w = img.shape
    return (_LUMA @ img.reshape(c, h * w)).reshape(h, w)


def _hue(img: torch.Tensor, shift: float) -> torch.Tensor:
    """Hue rotation by `shift` turns in YIQ space (colour.rs `hue`): rgb → (y, i, q), (i, q)
    rotated, back to rgb, clamped; one linear map."""
    c, s = math.cos(shift * math.tau), math.sin(shift * math.tau)
    rot = np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])
    return _mix(img, _RGB @ rot @ _YIQ).clamp(0.0, 1.0)


def color_jitter(img: torch.Tensor, strength: tuple[float, float, float, float], p: float,
                 rng: SplitMix) -> torch.Tensor:
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
            # (v − m)·f + m with m the mean luma.
            f = max(rng.range(1.0 - s, 1.0 + s), 0.0)
            m = _luma(img).mean()
            img = (img * f + m * (1.0 - f)).clamp(0.0, 1.0)
        elif k == 2:
            # (v − l)·f + l with l the pixel's luma: f·I + (1 − f)·1·lumaᵀ.
            f = max(rng.range(1.0 - s, 1.0 + s), 0.0)
            sat = f * np.eye(3) + (1.0 - f) * np.outer(np.ones(3), [0.299, 0.587, 0.114])
            img = _mix(img, sat).clamp(0.0, 1.0)
        elif s > 0.0:
            img = _hue(img, rng.range(-s, s))
    return img


def grayscale(img: torch.Tensor, p: float, rng: SplitMix) -> torch.Tensor:
    if img.shape[0] != 3 or not rng.chance(p):
        return img
    return _luma(img).unsqueeze(0).expand(3, -1, -1).contiguous()


def _blur_matrix(n: int, s: float) -> torch.Tensor:
    """[n, n] weights of one pass of the normalised Gaussian of σ = s, radius ⌈3s⌉, with the
    border pixel repeated (colour.rs `convolve`)."""
    r = math.ceil(3.0 * s)
    offs = np.arange(-r, r + 1)
    k = np.exp(-(offs * offs).astype(np.float32) / np.float32(2.0 * s * s)).astype(np.float32)
    k /= k.sum()
    rows = np.repeat(np.arange(n), len(offs))
    cols = np.clip(rows + np.tile(offs, n), 0, n - 1)
    m = np.zeros((n, n), dtype=np.float32)
    np.add.at(m, (rows, cols), np.tile(k, n))
    return torch.from_numpy(m)


def blur(img: torch.Tensor, p: float, sigma: tuple[float, float], rng: SplitMix) -> torch.Tensor:
    """Separable Gaussian, σ uniform in `sigma` × width/224, skipped below 0.05 px, radius
    ⌈3σ⌉, border pixels repeated; with probability p."""
    if not rng.chance(p):
        return img
    s = rng.range(sigma[0], sigma[1]) * img.shape[-1] / 224.0
    if s < 0.05:
        return img
    H, W = img.shape[-2:]
    ky = _blur_matrix(H, s)
    kx = ky if W == H else _blur_matrix(W, s)
    return ky @ img @ kx.t()


def solarize(img: torch.Tensor, p: float, threshold: float, rng: SplitMix) -> torch.Tensor:
    if not rng.chance(p):
        return img
    return torch.where(img >= threshold, 1.0 - img, img)


def relative(view: Crop, frame: Crop) -> list[float]:
    """(Δi, Δj, sh, sw, rflip) of `view` in `frame` as the frame is shown (augment/geometry.rs
    `Crop::relative_to`): in a flipped frame, columns count from its right edge."""
    return [
        (view.y - frame.y) / frame.h,
        (frame.x + frame.w - view.x - view.w) / frame.w if frame.flipped else (view.x - frame.x) / frame.w,
        view.h / frame.h,
        view.w / frame.w,
        1.0 if view.flipped != frame.flipped else 0.0,
    ]


# Masks: `True` marks a masked token (for window queries, every token but the selected ones).

def _choose(n: int, count: int, rng: SplitMix) -> list[int]:
    idx = list(range(n))
    count = min(count, n)
    for i in range(count):
        j = i + rng.below(n - i)
        idx[i], idx[j] = idx[j], idx[i]
    return idx[:count]


def block_mask(g: int, count: int, min_block: int, aspect: tuple[float, float], rng: SplitMix) -> list[bool]:
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


def window_queries(g: int, w: int, rng: SplitMix) -> list[bool]:
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


# The recipes' crop ratio range and blur deviation range (sslc's defaults).
RATIO = (0.75, 1.3333)
SIGMA = (0.1, 2.0)


def pipeline(img: torch.Tensor, rng: SplitMix, size: int, scale: tuple[float, float],
             jitter: tuple[float, float, float, float], blur_p: float,
             solarize_p: float | None = None) -> torch.Tensor:
    """One view declared alone (`view v1 = image |> …`): random_resized_crop(size, scale) →
    flip 0.5 → color_jitter(jitter, p 0.8) → grayscale 0.2 → blur(blur_p) → solarize(solarize_p)
    when given, each op drawing in turn."""
    x, crop = random_resized_crop(img, Crop.full(img), size, scale, RATIO, rng)
    x, _ = flip(x, crop, 0.5, rng)
    x = color_jitter(x, jitter, 0.8, rng)
    x = grayscale(x, 0.2, rng)
    x = blur(x, blur_p, SIGMA, rng)
    if solarize_p is not None:
        x = solarize(x, solarize_p, 0.5, rng)
    return x


def pipelines(img: torch.Tensor, rng: SplitMix, n: int, size: int, scale: tuple[float, float],
              jitter: tuple[float, float, float, float], blur_p: float) -> list[torch.Tensor]:
    """`n` views from one declaration (`view v[n] = image |> …`), the ops of `pipeline` without
    solarize: each op draws for every view before the next op runs, as sslc does."""
    full = Crop.full(img)
    crops = [random_resized_crop(img, full, size, scale, RATIO, rng) for _ in range(n)]
    xs = [flip(x, crop, 0.5, rng)[0] for x, crop in crops]
    xs = [color_jitter(x, jitter, 0.8, rng) for x in xs]
    xs = [grayscale(x, 0.2, rng) for x in xs]
    return [blur(x, blur_p, SIGMA, rng) for x in xs]


def byol_views(img: torch.Tensor, rng: SplitMix, jitter: tuple[float, float, float, float]) -> dict:
    """BYOL's two views, each declared alone (`pipeline` at 32 px, scale 0.2–1): v1 always
    blurred, v2 blurred at 0.1 and solarized at 0.2."""
    return {"v1": pipeline(img, rng, 32, (0.2, 1.0), jitter, 1.0),
            "v2": pipeline(img, rng, 32, (0.2, 1.0), jitter, 0.1, 0.2)}
