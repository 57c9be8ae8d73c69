"""sslc's kNN probe (runtime/src/eval/knn.rs, features.rs, nets/mod.rs `Net::features`).

Features: the probed network on the full, normalised images (chunks of 256, no augmentation,
no mask): its class token if it is a ViT with one, else the mean of its tokens. Bank: the first
`images` training images. Each held-out image takes the k most cosine-similar bank rows, each
voting for its class with weight exp(sim / temperature) (accumulated in float64); the class with
the largest vote wins (on a tie, the highest class index, as Rust's `max_by` keeps the last
maximum). Returns top-1 accuracy.
"""

from __future__ import annotations

import torch

from .data import normalise, rgb
from .nets import l2norm


@torch.no_grad()
def features(net: torch.nn.Module, grey: torch.Tensor, has_cls: bool, chunk: int = 256) -> torch.Tensor:
    out = []
    for i in range(0, grey.shape[0], chunk):
        t = net(normalise(rgb(grey[i: i + chunk])).to(torch.get_default_dtype()))
        out.append(t[:, 0] if has_cls else t.mean(1))
    return torch.cat(out, 0)


@torch.no_grad()
def vote(bank: torch.Tensor, queries: torch.Tensor, bank_labels: torch.Tensor, query_labels: torch.Tensor,
         classes: int, k: int, temperature: float) -> float:
    sims = l2norm(queries) @ l2norm(bank).t()
    k = max(1, min(k, bank.shape[0]))
    top, idx = sims.topk(k, dim=1)
    weights = (top.double() / temperature).exp()
    votes = torch.zeros(queries.shape[0], classes, dtype=torch.float64)
    votes.scatter_add_(1, bank_labels[idx], weights)
    pred = classes - 1 - votes.flip(1).argmax(1)
    return (pred == query_labels).double().mean().item()


def knn(net: torch.nn.Module, has_cls: bool, data, k: int = 20, temperature: float = 0.07,
        images: int = 1024) -> float:
    was = net.training
    net.eval()
    n = min(images, data.train.shape[0])
    fb = features(net, data.train[:n], has_cls)
    fq = features(net, data.holdout, has_cls)
    acc = vote(fb, fq, data.train_labels[:n], data.holdout_labels, data.classes, k, temperature)
    net.train(was)
    return acc
