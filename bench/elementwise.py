"""PyTorch's side of runtime/examples/flex_elementwise.rs: the same ops on the same shapes.

Usage:
    .torch/bin/python bench/elementwise.py [ROWS WIDTH REPS] [--threads 2]
Prints a Markdown table (op, ms per call, ns per element), the rows in the example's order.
Default shape: a tiny ViT's MLP hidden layer at batch 128 (8,320 tokens of width 128).
"""

import argparse
import time

import torch


def per_call_ms(reps, f):
    """Milliseconds per call of f, after one call to warm up."""
    f()
    start = time.perf_counter()
    for _ in range(reps):
        f()
    return (time.perf_counter() - start) * 1000.0 / reps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shape", nargs="*", type=int, default=[])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rows, width, reps = (args.shape + [8320, 128, 20][len(args.shape):])[:3]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(rows, width)
    inp = torch.randn(rows, width // 2)
    w = torch.randn(width // 2, width) * 0.1
    ops = [
        ("matmul making it (from width / 2)", lambda: inp @ w),
        ("relu", lambda: torch.relu(x)),
        ("exp", lambda: torch.exp(x)),
        ("tanh", lambda: torch.tanh(x)),
        ("erf", lambda: torch.erf(x)),
        ("gelu (exact)", lambda: torch.nn.functional.gelu(x)),
    ]
    print(f"{rows}×{width} on torch {torch.__version__}, {args.threads} threads, {reps} repetitions")
    print("| op | ms | ns per element |")
    print("|---|---|---|")
    for name, op in ops:
        ms = per_call_ms(reps, op)
        print(f"| {name} | {ms:.2f} | {ms * 1e6 / (rows * width):.2f} |")


if __name__ == "__main__":
    main()
