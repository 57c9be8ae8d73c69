"""sslc's schedules (compiler/src/value.rs, `Schedule::at`): a value at a fractional epoch of a
run of `total` epochs. The trainer evaluates them per step at epoch = step / steps_per_epoch
(runtime/src/trainer/), the start of the step."""

from __future__ import annotations

import math


class Schedule:
    def at(self, epoch: float, total: float) -> float:
        raise NotImplementedError


def _frac(epoch: float, length: float | None, total: float) -> float:
    length = max(total if length is None else length, 1e-12)
    return min(max(epoch / length, 0.0), 1.0)


class Constant(Schedule):
    def __init__(self, value: float):
        self.value = value

    def at(self, epoch, total):
        return self.value


class Linear(Schedule):
    """From `start` to `end` over `epochs` (the whole run when None), then held."""

    def __init__(self, start: float, end: float, epochs: float | None = None):
        self.start, self.end, self.epochs = start, end, epochs

    def at(self, epoch, total):
        return self.start + (self.end - self.start) * _frac(epoch, self.epochs, total)


class Cosine(Schedule):
    """Half-cosine from `start` to `end` over `epochs` (the whole run when None), then held."""

    def __init__(self, start: float, end: float, epochs: float | None = None):
        self.start, self.end, self.epochs = start, end, epochs

    def at(self, epoch, total):
        t = _frac(epoch, self.epochs, total)
        return self.end + (self.start - self.end) * 0.5 * (1.0 + math.cos(math.pi * t))


class Warmup(Schedule):
    """Linear from `start` to then(0) over `epochs`, then `then` over the remaining
    total − epochs epochs (its own clock restarts at the end of the warm-up)."""

    def __init__(self, epochs: float, then: Schedule, start: float = 0.0):
        self.epochs, self.then, self.start = epochs, then, start

    def at(self, epoch, total):
        rest = max(total - self.epochs, 1e-12)
        if epoch < self.epochs:
            first = self.then.at(0.0, rest)
            return self.start + (first - self.start) * (epoch / max(self.epochs, 1e-12))
        return self.then.at(epoch - self.epochs, rest)
