"""sslc checkpoints read into the twins' modules, so both start from the same weights.

sslc reference: runtime/src/checkpoint.rs (the format: a `sslc-checkpoint 1` line, the header's
length and JSON header naming each network `branch.net` with its parameter shapes, then every
value as little-endian f32) and runtime/src/weights.rs (`shaped_params`: burn's visiting order,
a module's fields in declaration order). burn stores a linear layer's weight as [in, out],
PyTorch as [out, in].
"""

from __future__ import annotations

import json

import torch
import torch.nn as nn


def read_checkpoint(path: str) -> dict[str, list[torch.Tensor]]:
    """Network name (`online.backbone`) → its parameters in burn's visiting order."""
    with open(path, "rb") as f:
        magic = f.readline().strip()
        if magic != b"sslc-checkpoint 1":
            raise ValueError(f"{path}: not an sslc checkpoint (starts with {magic[:40]!r})")
        header = json.loads(f.read(int(f.readline())))
        values = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    nets, at = {}, 0
    for net in header["nets"]:
        tensors = []
        for shape in net["shapes"]:
            n = 1
            for s in shape:
                n *= s
            tensors.append(values[at:at + n].reshape(shape).clone())
            at += n
        nets[net["name"]] = tensors
    if at != values.numel():
        raise ValueError(f"{path}: the header names {at} values, the file holds {values.numel()}")
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
