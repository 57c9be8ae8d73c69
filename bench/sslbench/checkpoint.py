"""sslc checkpoints read into the twins' modules, so both start from the same weights.

sslc reference: runtime/src/checkpoint/mod.rs. A checkpoint is a safetensors file whose tensor
`NETWORK.PATH` (`online.backbone.blocks.0.attn.qkv.weight`) holds a parameter under its burn
module path; the twins name their parameters as sslc's modules do, so a parameter is found by
name. Two conventions differ: burn keeps a linear layer's weight as [in, out] (PyTorch
[out, in]), and calls a LayerNorm's weight and bias `gamma` and `beta`.
"""

from __future__ import annotations

import json
import struct

import torch
import torch.nn as nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_checkpoint(path: str) -> dict[str, dict[str, torch.Tensor]]:
    """Network name (`online.backbone`) → its parameters by burn module path."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        meta = header.get("__metadata__", {})
    except (struct.error, ValueError) as e:
        raise ValueError(f"{path}: not a safetensors file ({e})") from e
    if meta.get("sslc.format") != "sslc-checkpoint 2":
        raise ValueError(f"{path}: not an sslc checkpoint (format {meta.get('sslc.format')!r})")
    body = raw[8 + n:]
    nets = {}
    for net in json.loads(meta["sslc.nets"]):
        tensors = {}
        for p in net["tensors"]:
            info = header[f"{net['name']}.{p}"]
            lo, hi = info["data_offsets"]
            t = torch.frombuffer(bytearray(body[lo:hi]), dtype=DTYPES[info["dtype"]])
            tensors[p] = t.reshape(info["shape"]).clone()
        nets[net["name"]] = tensors
    return nets


def burn_names(module: nn.Module) -> dict[str, tuple[torch.Tensor, bool]]:
    """`module`'s parameters and buffers (a ResNet norm's running statistics) under the names
    burn gives them, each with whether it is a linear layer's weight (stored transposed)."""
    out = {}
    for prefix, m in module.named_modules():
        for name, p in [*m.named_parameters(recurse=False), *m.named_buffers(recurse=False)]:
            if isinstance(m, nn.LayerNorm):
                name = {"weight": "gamma", "bias": "beta"}[name]
            full = f"{prefix}.{name}" if prefix else name
            out[full] = (p, isinstance(m, nn.Linear) and name == "weight")
    return out


def load(module: nn.Module, tensors: dict[str, torch.Tensor], name: str) -> None:
    """Copies sslc's parameters of network `name` into `module`, by name."""
    params = burn_names(module)
    missing = sorted(set(params) - set(tensors))
    extra = sorted(set(tensors) - set(params))
    if missing or extra:
        raise ValueError(f"{name}: the twin lacks {extra[:3]} and the checkpoint lacks {missing[:3]}")
    with torch.no_grad():
        for path, (p, transposed) in params.items():
            t = tensors[path].t() if transposed else tensors[path]
            if p.shape != t.shape:
                raise ValueError(f"{name}: {path} is {tuple(p.shape)} in the twin, {tuple(t.shape)} in sslc")
            p.copy_(t)


def load_all(path: str, nets: dict[str, nn.Module]) -> None:
    """Loads every network of `nets` (checkpoint name → twin module) from the checkpoint."""
    saved = read_checkpoint(path)
    for name, module in nets.items():
        if name not in saved:
            raise ValueError(f"{path}: holds no network {name} (it has {', '.join(saved)})")
        load(module, saved[name], name)
