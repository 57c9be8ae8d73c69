"""The optimiser step and the EMA rule as sslc's trainer runs them.

sslc reference: runtime/src/trainer/ (`Trainer::step`: loss → backward → drop gradients of
held parameters → decoupled decay θ ← θ·(1 − lr·wd) on trainable linear and conv weights (rank 2 and 4; not learned tokens) that
are not held → AdamW step with the scheduled lr (burn's AdamW with weight_decay 0, ε 1e-8, the
recipe's betas, gradient clipping per parameter tensor) → EMA update), runtime/src/optim/
(`build`), runtime/src/weights.rs (`decay`, `is_decayed`, `held_at`, `ema_update`) and burn-optim
0.22.1 `GradientClipping::clip_by_norm` (g ← g·min(1, c/(‖g‖ + f32::MIN_POSITIVE)) for each
parameter tensor separately).

torch.optim.AdamW applies θ ← θ·(1 − lr·wd) and then the bias-corrected Adam update
m̂/(√v̂ + ε), which is what sslc's decay-then-burn-AdamW sequence computes. Held parameters get
no gradient (None), so AdamW neither updates nor decays them, and their moments start fresh
when they are released, as burn's do.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .schedules import Schedule

F32_MIN_POSITIVE = 1.1754943508222875e-38


class AdamWMatrices:
    """AdamW over `modules`' parameters, decoupled decay on linear and conv weights (rank 2 and 4) only."""

    def __init__(self, modules: list[nn.Module], lr: Schedule, weight_decay: Schedule,
                 betas: tuple[float, float] = (0.9, 0.999), clip: float = 0.0,
                 held: list[tuple[nn.Parameter, float]] | None = None):
        params: list[nn.Parameter] = []
        seen: set[int] = set()
        for m in modules:
            for p in m.parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    params.append(p)
        self.params = params
        decayed = [p for p in params if p.ndim in (2, 4)]
        plain = [p for p in params if p.ndim not in (2, 4)]
        self.opt = torch.optim.AdamW(
            [{"params": decayed, "weight_decay": 0.0}, {"params": plain, "weight_decay": 0.0}],
            lr=0.0, betas=betas, eps=1e-8, weight_decay=0.0,
        )
        self.lr, self.weight_decay, self.clip = lr, weight_decay, clip
        self.held = held or []

    def step(self, loss: torch.Tensor, epoch: float, total: float) -> float:
        """One optimisation step at fractional `epoch`; returns the learning rate used."""
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        for p, until in self.held:
            if epoch < until:
                p.grad = None
        if self.clip > 0:
            grads = [p.grad for p in self.params if p.grad is not None]
            if grads:
                norms = torch._foreach_norm(grads)
                coefs = [(self.clip / (n + F32_MIN_POSITIVE)).clamp(max=1.0) for n in norms]
                torch._foreach_mul_(grads, coefs)
        lr = self.lr.at(epoch, total)
        wd = self.weight_decay.at(epoch, total)
        decayed, plain = self.opt.param_groups
        decayed["lr"], decayed["weight_decay"] = lr, wd
        plain["lr"], plain["weight_decay"] = lr, 0.0
        self.opt.step()
        return lr


class SgdMatrices:
    """SGD with momentum (dampening 0, not Nesterov: v ← m·v + g, θ ← θ − lr·v, the first v = g)
    over `modules`' parameters, the weight decay coupled into the gradients of linear and conv
    weights (rank 2 and 4) only, g ← g + wd·θ (sslc's `optim::couple_decay`, then burn's SGD).
    `fixed` modules train at the schedule's first value throughout (`fixed_lr`)."""

    def __init__(self, modules: list[nn.Module], lr: Schedule, weight_decay: float, momentum: float,
                 fixed: list[nn.Module] | None = None):
        def params(ms):
            return [p for m in ms for p in m.parameters()]

        self.fixed = params(fixed or [])
        self.params = params(modules) + self.fixed
        self.opt = torch.optim.SGD(
            [{"params": params(modules)}, {"params": self.fixed}],
            lr=0.0, momentum=momentum, dampening=0.0, weight_decay=0.0, nesterov=False,
        )
        self.lr, self.weight_decay = lr, weight_decay

    def step(self, loss: torch.Tensor, epoch: float, total: float) -> float:
        """One optimisation step at fractional `epoch`; returns the scheduled learning rate."""
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None and p.ndim in (2, 4):
                    p.grad.add_(p, alpha=self.weight_decay)
        lr = self.lr.at(epoch, total)
        scheduled, fixed = self.opt.param_groups
        scheduled["lr"], fixed["lr"] = lr, self.lr.at(0.0, total)
        self.opt.step()
        return lr


class Ema:
    """ξ ← m·ξ + (1 − m)·θ for each (copy, source) pair after every step, m read at the
    fractional epoch of the step's start; copies start equal to their sources."""

    def __init__(self, pairs: list[tuple[nn.Module, nn.Module]], momentum: Schedule):
        self.momentum = momentum
        self.dst: list[torch.Tensor] = []
        self.src: list[torch.Tensor] = []
        for copy, source in pairs:
            cp, sp = list(copy.parameters()), list(source.parameters())
            assert len(cp) == len(sp)
            for c, s in zip(cp, sp):
                assert c.shape == s.shape
                c.requires_grad_(False)
                self.dst.append(c)
                self.src.append(s)

    @torch.no_grad()
    def update(self, epoch: float, total: float) -> float:
        m = self.momentum.at(epoch, total)
        torch._foreach_mul_(self.dst, m)
        torch._foreach_add_(self.dst, [s.detach() for s in self.src], alpha=1.0 - m)
        return m


def copy_of(module: nn.Module) -> nn.Module:
    """An EMA copy: the same weights, outside autograd."""
    import copy

    c = copy.deepcopy(module)
    for p in c.parameters():
        p.requires_grad_(False)
    return c

