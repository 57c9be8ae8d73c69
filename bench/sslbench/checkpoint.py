"""sslc checkpoints read into the twins' modules, so both start from the same weights.

sslc reference: runtime/src/checkpoint/mod.rs. A checkpoint is a safetensors file; its metadata
`sslc.nets` lists each network (`online.backbone`) with its parameters' module paths in burn's
visiting order, and the tensor `NETWORK.PATH` holds each. The twins' parameters are matched in
that order (`burn_order`: a module's fields in declaration order). burn stores a linear layer's
weight as [in, out], PyTorch as [out, in].
"""

from __future__ import annotations

import json
import struct

import torch
import torch.nn as nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_checkpoint(path: str) -> dict[str, list[torch.Tensor]]:
    """Network name (`online.backbone`) → its parameters in burn's visiting order."""
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
        tensors = []
        for p in net["tensors"]:
            info = header[f"{net['name']}.{p}"]
            lo, hi = info["data_offsets"]
            t = torch.frombuffer(bytearray(body[lo:hi]), dtype=DTYPES[info["dtype"]])
            tensors.append(t.reshape(info["shape"]).clone())
        nets[net["name"]] = tensors
    return nets


def burn_order(module: nn.Module) -> list[nn.Parameter]:
    """`module`'s parameters in the order burn visits its twin. A module whose own parameters sit
    between its submodules in sslc lists its fields in `BURN_FIELDS`; elsewhere PyTorch's order
    (own parameters, then submodules in registration order) is burn's."""
    fields = getattr(module, "BURN_FIELDS", None)
    if fields is None:
        own = list(module.parameters(recurse=False))
        return own + [p for child in module.children() for p in burn_order(child)]
    out: list[nn.Parameter] = []
    for name in fields:
        field = getattr(module, name)
        if isinstance(field, nn.Parameter):
            out.append(field)
        elif isinstance(field, nn.Module):
            out.extend(burn_order(field))
    return out


def load(module: nn.Module, tensors: list[torch.Tensor], name: str) -> None:
    """Copies sslc's parameters of network `name` into `module`."""
    params = burn_order(module)
    if len(params) != len(tensors):
        raise ValueError(f"{name}: the twin has {len(params)} parameters, the checkpoint {len(tensors)}")
    linear = {id(m.weight) for m in module.modules() if isinstance(m, nn.Linear)}
    with torch.no_grad():
        for i, (p, t) in enumerate(zip(params, tensors)):
            if id(p) in linear:
                t = t.t()
            if p.shape != t.shape:
                raise ValueError(f"{name}: parameter {i} is {tuple(p.shape)} in the twin, {tuple(t.shape)} in sslc")
            p.copy_(t)


def load_all(path: str, nets: dict[str, nn.Module]) -> None:
    """Loads every network of `nets` (checkpoint name → twin module) from the checkpoint."""
    saved = read_checkpoint(path)
    for name, module in nets.items():
        if name not in saved:
            raise ValueError(f"{path}: holds no network {name} (it has {', '.join(saved)})")
        load(module, saved[name], name)
