"""sslc's networks in PyTorch, initialised as sslc initialises them.

sslc reference: runtime/src/nets/init.rs (every linear layer: Xavier-uniform weight, zero bias),
vit.rs, block.rs, posemb.rs, mlp.rs, batchnorm.rs, dino.rs, coord.rs, transformer.rs.

- Linear layers are `nn.Linear` (weight [out, in]; burn stores [in, out]; Xavier-uniform's bound
  √(6/(in+out)) is the same either way).
- LayerNorms have ε = 1e-6 and affine parameters (1, 0); BatchNorm always uses the batch's own
  statistics (biased variance, ε = 1e-5), has γ, β and no running statistics.
- GELU is the exact (erf) one, as burn's default `flex` backend computes it forward and
  backward.
- Attention: one fused qkv projection, softmax(q kᵀ/√(dim/heads)) v, output projection.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _round(v: float) -> int:
    return int(math.floor(v + 0.5))


def linear(d_in: int, d_out: int, bias: bool = True) -> nn.Linear:
    """init.rs `linear_with`: Xavier-uniform (gain 1) weight, zero bias."""
    layer = nn.Linear(d_in, d_out, bias=bias)
    nn.init.xavier_uniform_(layer.weight, gain=1.0)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer


def l2norm(t: torch.Tensor) -> torch.Tensor:
    """ops.rs `l2norm`: t / max(‖t‖, 1e-12) over the last axis."""
    return t / t.pow(2).sum(-1, keepdim=True).sqrt().clamp_min(1e-12)


def sincos_2d(gh: int, gw: int, dim: int, scale: tuple[float, float]) -> torch.Tensor:
    """posemb.rs `sincos_2d`: [gh·gw, dim]; first half encodes the row (sin then cos), second
    half the column; cell centres map to the reference grid's: positions are (y + ½)·scale.0 − ½
    and (x + ½)·scale.1 − ½; ω_i = 1/10000^(i/(dim/4))."""
    quarter = dim // 4
    out = torch.zeros(gh * gw, dim)
    i = torch.arange(quarter, dtype=torch.float32)
    omega = 1.0 / torch.pow(torch.tensor(10000.0), i / max(quarter, 1))
    ys = ((torch.arange(gh, dtype=torch.float32) + 0.5) * scale[0] - 0.5).repeat_interleave(gw)
    xs = ((torch.arange(gw, dtype=torch.float32) + 0.5) * scale[1] - 0.5).repeat(gh)
    for axis, pos in ((0, ys), (1, xs)):
        a = pos[:, None] * omega[None, :]
        out[:, axis * 2 * quarter: axis * 2 * quarter + quarter] = torch.sin(a)
        out[:, axis * 2 * quarter + quarter: axis * 2 * quarter + 2 * quarter] = torch.cos(a)
    return out


class BatchNormRows(nn.Module):
    """batchnorm.rs: per-column normalisation with the batch's statistics, always."""

    def __init__(self, width: int):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(width))
        self.beta = nn.Parameter(torch.zeros(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.batch_norm(x, None, None, self.gamma, self.beta, training=True, eps=1e-5)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.qkv = linear(dim, 3 * dim)
        self.proj = linear(dim, dim)
        self.heads = heads

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        h = self.heads
        qkv = self.qkv(x).reshape(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return self.proj(out.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    """block.rs: x + attn(norm1(x)), then x + fc2(gelu(fc1(norm2(x))))."""

    def __init__(self, dim: int, heads: int, hidden: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = linear(dim, hidden)
        self.fc2 = linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


def patchify(x: torch.Tensor, p: int) -> torch.Tensor:
    """vit.rs `patchify`: [b, c, h, w] → [b, (h/p)(w/p), c·p·p], channel-major in a patch."""
    b, c, h, w = x.shape
    gh, gw = h // p, w // p
    x = x[:, :, : gh * p, : gw * p].reshape(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(b, gh * gw, c * p * p)


class ViT(nn.Module):
    """vit.rs: linear patch embedding + fixed sin-cos positions (evaluated at this grid's
    coordinates scaled to the reference grid `grid`, the grid of the input the network was first
    applied to), optional class token N(0, 0.02) without a position, pre-norm blocks, final
    LayerNorm. With `keep` ([b, kept] token indices) only those patches are encoded."""


    def __init__(self, patch: int, dim: int, depth: int, heads: int, mlp_ratio: float = 4.0,
                 cls: bool = True, channels: int = 3, grid: tuple[int, int] = (8, 8)):
        super().__init__()
        hidden = max(_round(dim * mlp_ratio), 1)
        self.embed = linear(channels * patch * patch, dim)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02) if cls else None
        self.blocks = nn.ModuleList([Block(dim, heads, hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.patch, self.dim, self.grid = patch, dim, grid
        self._pos: dict[tuple[int, int], torch.Tensor] = {}

    @property
    def has_cls(self) -> bool:
        return self.cls is not None

    def pos(self, gh: int, gw: int) -> torch.Tensor:
        if (gh, gw) not in self._pos:
            scale = (self.grid[0] / max(gh, 1), self.grid[1] / max(gw, 1))
            self._pos[(gh, gw)] = sincos_2d(gh, gw, self.dim, scale).unsqueeze(0)
        return self._pos[(gh, gw)]

    def forward(self, x: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        b, _, h, w = x.shape
        gh, gw = h // self.patch, w // self.patch
        t = self.embed(patchify(x, self.patch)) + self.pos(gh, gw)
        if keep is not None:
            t = t.gather(1, keep.unsqueeze(2).expand(-1, -1, self.dim))
        if self.cls is not None:
            t = torch.cat([self.cls.expand(b, 1, self.dim), t], 1)
        for block in self.blocks:
            t = block(t)
        return self.norm(t)


def widths(d_in: int, hidden: int, out: int, layers: int) -> list[int]:
    n = max(layers, 1)
    return [d_in] + [hidden] * (n - 1) + [out]


class Mlp(nn.Module):
    """mlp.rs: linear layers; between them BatchNorm (if `bn`) then ReLU (or GELU)."""

    def __init__(self, d_in: int, hidden: int, out: int, layers: int = 2, bn: bool = True, gelu: bool = False,
                 out_plain: bool = False):
        super().__init__()
        # `out_bn: "plain"`: the output normalised with the batch's statistics, no scale or shift.
        self.out_plain = out_plain
        ws = widths(d_in, hidden, out, layers)
        n = max(layers, 1)
        self.linears = nn.ModuleList([linear(ws[i], ws[i + 1]) for i in range(n)])
        self.norms = nn.ModuleList([BatchNormRows(ws[i]) for i in range(1, n)]) if bn else nn.ModuleList()
        self.gelu = gelu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        last = len(self.linears) - 1
        for i, layer in enumerate(self.linears):
            x = layer(x)
            if i < last:
                if i < len(self.norms):
                    x = self.norms[i](x)
                x = F.gelu(x) if self.gelu else F.relu(x)
        if self.out_plain:
            x = F.batch_norm(x, None, None, training=True, eps=1e-5)
        return x.reshape(*shape[:-1], x.shape[-1])


class DinoHead(nn.Module):
    """dino.rs: MLP to the bottleneck (GELU between layers, no norm), L2-normalise, then the
    prototypes `last` [bottleneck, prototypes] ~ N(0, 0.02), each column used at unit length."""

    def __init__(self, d_in: int, hidden: int, bottleneck: int, prototypes: int, layers: int = 3):
        super().__init__()
        ws = widths(d_in, hidden, bottleneck, layers)
        self.mlp = nn.ModuleList([linear(ws[i], ws[i + 1]) for i in range(max(layers, 1))])
        self.last = nn.Parameter(torch.randn(bottleneck, prototypes) * 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        last = len(self.mlp) - 1
        for i, layer in enumerate(self.mlp):
            x = layer(x)
            if i < last:
                x = F.gelu(x)
        w = self.last
        w = w / w.pow(2).sum(0, keepdim=True).sqrt().clamp_min(1e-12)
        out = l2norm(x) @ w
        return out.reshape(*shape[:-1], out.shape[-1])


class Transformer(nn.Module):
    """transformer.rs: pre-norm blocks over tokens, no embedding, no final norm."""

    def __init__(self, dim: int, depth: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        hidden = max(_round(dim * mlp_ratio), 1)
        self.blocks = nn.ModuleList([Block(dim, heads, hidden) for _ in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for b in self.blocks:
            x = b(x)
        return x


class CoordEmbed(nn.Module):
    """coord.rs: for each patch (r, c) of a grid×grid view, h = g·Δi + sh·(r + ½) − ½ and
    w = g·Δj + sw·(c' + ½) − ½ (c' = g − 1 − c when rflip), 10·log sh and 10·log sw; each of
    the four embedded as [sin(q·ω_k)…, cos(q·ω_k)…] with ω_k = 1/10000^(k/f), f = dim/8; then a
    learned linear layer 8f → dim."""

    def __init__(self, dim: int, grid: int):
        super().__init__()
        self.freqs = max(dim // 8, 1)
        self.proj = linear(8 * self.freqs, dim)
        self.grid = grid

    def coordinates(self, geo: torch.Tensor) -> torch.Tensor:
        g, rows = self.grid, geo.shape[0]
        i = torch.arange(g * g)
        rr = (i // g).float() + 0.5
        cc = (i % g).float() + 0.5
        mirrored = (g - 1 - i % g).float() + 0.5
        di, dj, sh, sw, fl = (geo[:, k: k + 1] for k in range(5))
        c_eff = cc * (1.0 - fl) + mirrored * fl
        h = di * g + sh * rr - 0.5
        w = dj * g + sw * c_eff - 0.5
        ls = (10.0 * sh.clamp_min(1e-6).log()).expand(rows, g * g)
        lw = (10.0 * sw.clamp_min(1e-6).log()).expand(rows, g * g)
        return torch.stack([h, w, ls, lw], 2)

    def forward(self, geo: torch.Tensor) -> torch.Tensor:
        q = self.coordinates(geo)
        rows, n, _ = q.shape
        f = self.freqs
        omega = 1.0 / torch.pow(torch.tensor(10000.0), torch.arange(f, dtype=torch.float32) / f)
        angles = q.unsqueeze(3) * omega
        feats = torch.cat([angles.sin(), angles.cos()], 3).reshape(rows, n, 8 * f)
        return self.proj(feats)
