"""sslc's ResNet in PyTorch (runtime/src/nets/resnet/: mod.rs, block.rs, norm.rs).

torchvision's layout under sslc's module names, so that sslc's checkpoint loads by name: a stem
(`stem.conv`, `stem.bn`; the small stem, one 3×3 convolution at stride 1), four stages of basic
blocks (`stages.I.J.conv1`, `.conv2`, `.downsample` where the shape changes), widths ×1, ×2, ×4,
×8, the last three starting at stride 2. Every convolution has no bias and a BatchNorm after it
(`gamma`, `beta`; `running.mean`, `running.var`, `running.batches` with `bn: "running"`): the
batch's statistics in training (biased variance, ε 1e-5), the running averages moved by each
training call (momentum 0.1, unbiased variance) and used in evaluation, as torchvision's. The
output is the last map as tokens `[batch, h·w, channels]`.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

# Blocks per stage for the basic-block depths.
LAYOUT = {10: (1, 1, 1, 1), 18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}


class ChannelNorm(nn.Module):
    """norm.rs `ChannelNorm`: BatchNorm over a map's channels."""

    def __init__(self, width: int, running: bool):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(width))
        self.beta = nn.Parameter(torch.zeros(width))
        self.running = None
        if running:
            self.running = nn.Module()
            self.running.register_buffer("mean", torch.zeros(width))
            self.running.register_buffer("var", torch.ones(width))
            self.running.register_buffer("batches", torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = self.running
        if r is not None and self.training:
            with torch.no_grad():
                r.batches += 1
        mean, var = (r.mean, r.var) if r is not None else (None, None)
        return F.batch_norm(x, mean, var, self.gamma, self.beta, training=self.training or r is None,
                            momentum=0.1, eps=1e-5)


class ConvBn(nn.Module):
    """norm.rs `ConvBn`: a `kernel`×`kernel` convolution without bias, padded to keep the size
    at stride 1, then its norm."""

    def __init__(self, d_in: int, d_out: int, kernel: int, stride: int, running: bool):
        super().__init__()
        self.conv = nn.Conv2d(d_in, d_out, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.bn = ChannelNorm(d_out, running)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class Basic(nn.Module):
    """block.rs `Basic`: two 3×3 convolutions, the stride on the first, a strided 1×1
    projection as the shortcut where the shape changes."""

    def __init__(self, d_in: int, width: int, stride: int, running: bool):
        super().__init__()
        self.conv1 = ConvBn(d_in, width, 3, stride, running)
        self.conv2 = ConvBn(width, width, 3, 1, running)
        self.downsample = ConvBn(d_in, width, 1, stride, running) if stride != 1 or d_in != width else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv2(F.relu(self.conv1(x)))
        skip = self.downsample(x) if self.downsample is not None else x
        return F.relu(y + skip)


class ResNet(nn.Module):
    """mod.rs `ResNet` with the small stem and basic blocks."""

    def __init__(self, depth: int, width: int, channels: int = 3, running: bool = True):
        super().__init__()
        self.stem = ConvBn(channels, width, 3, 1, running)
        stages, d_in = [], width
        for i, count in enumerate(LAYOUT[depth]):
            w = width << i
            blocks = []
            for k in range(count):
                blocks.append(Basic(d_in, w, 2 if i > 0 and k == 0 else 1, running))
                d_in = w
            stages.append(nn.ModuleList(blocks))
        self.stages = nn.ModuleList(stages)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(x))
        for stage in self.stages:
            for block in stage:
                x = block(x)
        b, c, h, w = x.shape
        return x.reshape(b, c, h * w).transpose(1, 2)
