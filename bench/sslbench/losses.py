"""sslc's losses and token ops (one file each in runtime/src/exec/ops/, helpers in
runtime/src/exec/tokens.rs). Each loss returns a scalar averaged over rows (vectors, or tokens
flattened to rows)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .nets import l2norm


def rows(t: torch.Tensor) -> torch.Tensor:
    return t.reshape(-1, t.shape[-1])


def _cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (l2norm(rows(a)) * l2norm(rows(b))).sum(1)


def neg_cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean over rows of −cos(aᵢ, bᵢ)."""
    return -_cosine(a, b).mean()


def cosine_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean over rows of 2 − 2·cos(aᵢ, bᵢ)."""
    return (2.0 - 2.0 * _cosine(a, b)).mean()


def soft_ce(a: torch.Tensor, b: torch.Tensor, student_temp: float, teacher_temp: float) -> torch.Tensor:
    """Mean over rows of −Σ softmax(b/τ_t) · log softmax(a/τ_s), teacher side detached."""
    q = F.softmax(rows(b) / teacher_temp, 1).detach()
    logp = F.log_softmax(rows(a) / student_temp, 1)
    return -(q * logp).sum(1).mean()


def mean_entropy(x: torch.Tensor, t: float) -> torch.Tensor:
    """Σₖ p̄ₖ log p̄ₖ + log K, p̄ the mean over all rows of softmax(x/t)."""
    x = rows(x)
    k = x.shape[1]
    mean = F.softmax(x / t, 1).mean(0)
    return (mean * mean.clamp_min(1e-12).log()).sum() + math.log(k)


def unigrad(a: torch.Tensor, b: torch.Tensor, lam: float) -> torch.Tensor:
    """(1/D)·[mean ‖a − b‖² + λ·mean aᵀFa], F = bᵀb / rows."""
    a, b = rows(a), rows(b)
    n, d = a.shape
    f = b.t() @ b / n
    align = (a - b).pow(2).sum(1).mean()
    spread = ((a @ f) * a).sum(1).mean()
    return (align + lam * spread) / d


def repeat_rows(t: torch.Tensor, n: int) -> torch.Tensor:
    """Each row repeated n times consecutively (a per-image value against n views)."""
    return t if n == 1 else t.repeat_interleave(n, 0)


def match_rows(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    ra, rb = a.shape[0], b.shape[0]
    if ra < rb:
        return repeat_rows(a, rb // max(ra, 1)), b
    return a, repeat_rows(b, ra // max(rb, 1))


def select(x: torch.Tensor, keep: torch.Tensor, tokens: int) -> torch.Tensor:
    """The grid tokens a mask keeps (grid order), skipping a leading class token; a mask drawn
    per image applies to every view of it (`keep` [images, kept])."""
    r, length, d = x.shape
    grid = x[:, length - tokens:]
    keep = repeat_rows(keep, r // max(keep.shape[0], 1))
    return grid.gather(1, keep.unsqueeze(2).expand(-1, -1, d))


def attend(q: torch.Tensor, k: torch.Tensor, beta: float) -> torch.Tensor:
    """softmax(β·q kᵀ) k over the tokens of k."""
    q, k = match_rows(q, k)
    return F.softmax((q @ k.transpose(1, 2)) * beta, 2) @ k


def layer_norm(x: torch.Tensor) -> torch.Tensor:
    """LayerNorm without affine parameters over the last axis, ε = 1e-6."""
    mean = x.mean(-1, keepdim=True)
    c = x - mean
    return c / (c.pow(2).mean(-1, keepdim=True) + 1e-6).sqrt()
