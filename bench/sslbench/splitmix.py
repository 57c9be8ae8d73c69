"""sslc's random generator (SplitMix64) and its streams, bit for bit.

sslc reference: runtime/src/rng.rs (`Rng`) and runtime/src/trainer/ (`ORDER_STREAM`,
`VIEW_STREAM`): the epoch order is `Rng::derive(seed, ORDER_STREAM, epoch).permutation(n)` and
image i's views and masks in an epoch draw from `Rng::derive(seed, VIEW_STREAM + epoch, i)`.
With this generator a twin draws the same numbers as sslc, so it sees the same epoch order, the
same crops and the same masks. `range` computes in f32 as sslc does; what the caller does with
the draw afterwards is its own (f64) arithmetic.
"""

from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
ORDER_STREAM = 0x05EED0001
VIEW_STREAM = 0x05EED0100
QUEUE_STREAM = 0x05EED0300


def _rotl(v: int, k: int) -> int:
    return ((v << k) | (v >> (64 - k))) & MASK


class SplitMix:
    """The draws of sslc's `Rng`, with the same values."""

    def __init__(self, seed: int):
        self.state = (seed ^ GOLDEN) & MASK

    @staticmethod
    def derive(seed: int, stream: int, i: int) -> "SplitMix":
        r = SplitMix((seed * 0x100000001B3 & MASK) ^ _rotl(stream & MASK, 32) ^ (i * 0xD6E8FEB86659FD93 & MASK))
        r.next_u64()
        return r

    def next_u64(self) -> int:
        self.state = (self.state + GOLDEN) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def f32(self) -> float:
        return (self.next_u64() >> 40) / float(1 << 24)

    def range(self, lo: float, hi: float) -> float:
        lo32, hi32 = np.float32(lo), np.float32(hi)
        return float(lo32 + (hi32 - lo32) * np.float32(self.f32()))

    def below(self, n: int) -> int:
        return (self.next_u64() >> 11) % max(n, 1)

    def chance(self, p: float) -> bool:
        return self.f32() < float(np.float32(p))

    def normal(self) -> float:
        """A standard normal draw by Box-Muller, in f32 as sslc computes it (`Rng::normal`)."""
        u = max(np.float32(self.f32()), np.float32(1e-7))
        v = np.float32(self.f32())
        return float(np.sqrt(np.float32(-2.0) * np.log(u)) * np.cos(np.float32(2.0 * np.pi) * v))

    def permutation(self, n: int) -> list[int]:
        v = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            v[i], v[j] = v[j], v[i]
        return v


def epoch_order(seed: int, epoch: int, n: int) -> list[int]:
    """The order sslc visits the training set in during `epoch`."""
    return SplitMix.derive(seed, ORDER_STREAM, epoch).permutation(n)


def view_rng(seed: int, epoch: int, image: int) -> SplitMix:
    """The generator image `image`'s views and masks draw from during `epoch`."""
    return SplitMix.derive(seed, VIEW_STREAM + epoch, image)


def queue_start(seed: int, ordinal: int, size: int, dim: int) -> np.ndarray:
    """The first memory of the plan's `ordinal`-th queue (runtime/src/exec/state.rs): standard
    normal draws row by row, each row scaled to unit length, `[size, dim]`."""
    r = SplitMix.derive(seed, QUEUE_STREAM, ordinal)
    rows = np.array([[r.normal() for _ in range(dim)] for _ in range(size)], dtype=np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), np.float32(1e-12))
