"""Fashion-MNIST as sslc's `fashion_mnist` source builds it.

sslc reference: runtime/src/data/idx.rs (IDX parsing), runtime/src/data/fashion.rs
(`Items::load`, `Items::keep_classes`, `Items::single`, `Canvas::paste`, `Canvas::finish`),
runtime/src/data/source.rs (`Dataset::open`, the "fashion_mnist" arm) and
runtime/src/exec/views/stack.rs (MEAN, STD).

An item becomes an image of `size`² this way (`Items::single` → `Canvas::paste` at (0, 0) with
side `size`): canvas pixel (y, x) takes the item pixel at (⌊(y + ½)/size·28⌋, ⌊(x + ½)/size·28⌋)
(nearest neighbour of the pixel centre), faint pixels included (INK = 25 only decides the
mask, which single items do not need here). The grey value is byte/255, replicated to 3 channels. The probe label is
the item's class.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass

import numpy as np
import torch

# runtime/src/exec/views/stack.rs: per-channel normalisation when images become tensors.
MEAN = 0.5
STD = 0.25

# runtime/src/data/fashion.rs: a pixel above this (of 255) belongs to the item.
INK = 25
CLASSES = 10
TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path: str) -> np.ndarray:
    """An IDX file of unsigned bytes, plain or gzip (recognised by its magic bytes)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4:
        raise ValueError(f"{path}: is {len(raw)} bytes long, shorter than an IDX header")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: does not start with an IDX magic number")
    if raw[2] != 0x08:
        raise ValueError(f"{path}: holds values of type 0x{raw[2]:02x}; only unsigned bytes are read")
    rank = raw[3]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ValueError(f"{path}: is truncated inside its header")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    want = int(np.prod(dims)) if dims else 1
    found = len(raw) - header
    if found != want:
        raise ValueError(f"{path}: dimensions {dims} need {want} bytes of data, found {found}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


@dataclass
class Items:
    """The items of one split: n greyscale side² images and their classes."""

    pixels: np.ndarray  # [n, side, side] uint8
    labels: np.ndarray  # [n] int64

    @staticmethod
    def load(directory: str, files: tuple[str, str]) -> "Items":
        img = read_idx(os.path.join(directory, files[0]))
        lab = read_idx(os.path.join(directory, files[1]))
        if img.ndim != 3 or img.shape[1] != img.shape[2]:
            raise ValueError(f"{files[0]}: dimensions {img.shape} are not [images, side, side]")
        if lab.shape != (img.shape[0],):
            raise ValueError(f"{files[1]}: dimensions {lab.shape} do not match {img.shape[0]} images")
        if lab.size and int(lab.max()) >= CLASSES:
            raise ValueError(f"{files[1]}: holds a label >= {CLASSES}")
        return Items(img, lab.astype(np.int64))

    def keep_classes(self, classes: int) -> "Items":
        if classes >= CLASSES:
            return self
        keep = self.labels < classes
        return Items(self.pixels[keep], self.labels[keep])


def single(pixels: np.ndarray, size: int) -> np.ndarray:
    """Items [n, side, side] uint8 → grey images [n, size, size] float32 in [0, 1]
    (`Items::single`: nearest item pixel of each canvas pixel's centre, faint pixels kept)."""
    side = pixels.shape[1]
    # f32 arithmetic, as Canvas::paste computes it: v = (y + 0.5 - y0) / scaled * side.
    pos = ((np.arange(size, dtype=np.float32) + np.float32(0.5)) / np.float32(size)) * np.float32(side)
    idx = pos.astype(np.int64)  # truncation == floor for these non-negative values
    keep = (pos >= 0) & (pos < side)
    idx = np.clip(idx, 0, side - 1)
    picked = pixels[:, idx][:, :, idx]  # [n, size, size]
    grey = picked.astype(np.float32) / np.float32(255.0)
    grey = grey * keep[None, :, None] * keep[None, None, :]
    return grey.astype(np.float32)


@dataclass
class Dataset:
    """Training and held-out images as grey [n, size, size] float tensors in [0, 1] (the three
    channels sslc holds are equal; they are expanded where images are used), with labels."""

    train: torch.Tensor
    train_labels: torch.Tensor
    holdout: torch.Tensor
    holdout_labels: torch.Tensor
    classes: int


def fashion_mnist(path: str = DEFAULT_DIR, size: int = 28, count: int = 60000, holdout: int = 10000,
                  classes: int = 10) -> Dataset:
    """sslc's `fashion_mnist(path, size, count, holdout, classes)`: the first `count` training
    items and the first `holdout` test items of the first `classes` classes."""
    train = Items.load(path, TRAIN).keep_classes(classes)
    test = Items.load(path, TEST).keep_classes(classes)
    n, m = min(count, len(train.labels)), min(holdout, len(test.labels))
    return Dataset(
        train=torch.from_numpy(single(train.pixels[:n], size)),
        train_labels=torch.from_numpy(train.labels[:n].copy()),
        holdout=torch.from_numpy(single(test.pixels[:m], size)),
        holdout_labels=torch.from_numpy(test.labels[:m].copy()),
        classes=classes,
    )


def rgb(grey: torch.Tensor) -> torch.Tensor:
    """Grey [..., h, w] → 3 equal channels [..., 3, h, w] (a copy)."""
    return grey.unsqueeze(-3).expand(*grey.shape[:-2], 3, *grey.shape[-2:]).contiguous()


def normalise(x: torch.Tensor) -> torch.Tensor:
    """`stack`: (v − MEAN) / STD on every channel."""
    return (x - MEAN) / STD


def stack_views(items: list[dict], keys: tuple[str, ...] = ("v1", "v2")) -> dict:
    """Each view of the batch's items stacked and normalised, one tensor a view."""
    return {k: normalise(torch.stack([it[k] for it in items])) for k in keys}
