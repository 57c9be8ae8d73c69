"""sslc's losses against lightly's, in float64: value and gradient on every case that
runtime/tests/lightly.rs wrote (random projections, two images, large values, identical views,
nearly equal rows).

    SSLC_LIGHTLY_OUT=/tmp/cases.json cargo test --release -p sslc-runtime --test lightly
    .torch/bin/python bench/lightly_check.py /tmp/cases.json

Each term of tests/run/lightly_losses.ssl has lightly's loss beside it here (LIGHTLY); a term
without one stops the check. Exits 1 on any difference above 1e-6 (relative to 1 + |value|,
and for gradients to 1 + the largest gradient).
"""

import json
import sys
import warnings

import torch
from lightly import loss as L

torch.set_default_dtype(torch.float64)
# lightly's DCLW weight copies a tensor with torch.tensor(), which warns on every call.
warnings.filterwarnings("ignore", message="To copy construct from a tensor")
TOL = 1e-6


LIGHTLY = {
    "neg_cosine": L.NegativeCosineSimilarity(),
    "nt_xent": L.NTXentLoss(temperature=0.5),
    "barlow_twins": L.BarlowTwinsLoss(lambda_param=0.005),
    "vicreg": L.VICRegLoss(),
    "dcl": L.DCLLoss(temperature=0.1),
    "dclw": L.DCLWLoss(temperature=0.1, sigma=0.5),
}

def check(cases):
    failed = 0
    print(f"{'case':<18} {'term':<13} {'sslc':>14} {'lightly':>14} {'|Δ value|':>10} {'|Δ grad|':>10}")
    for case in cases:
        for term, got in case["terms"].items():
            z1 = torch.tensor(case["z1"], requires_grad=True)
            z2 = torch.tensor(case["z2"], requires_grad=True)
            want = LIGHTLY[term](z1, z2)
            want.backward()
            dv = abs(got["value"] - want.item())
            dg = max(
                (torch.tensor(got["grad_z1"]) - z1.grad).abs().max().item(),
                (torch.tensor(got["grad_z2"]) - z2.grad).abs().max().item(),
            )
            scale = 1 + abs(want.item())
            gscale = 1 + max(z1.grad.abs().max().item(), z2.grad.abs().max().item())
            ok = dv <= TOL * scale and dg <= TOL * gscale
            failed += not ok
            mark = "" if ok else "  <- differs"
            print(
                f"{case['name']:<18} {term:<13} {got['value']:>14.8f} {want.item():>14.8f} "
                f"{dv:>10.1e} {dg:>10.1e}{mark}"
            )
    return failed


if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    failed = check(cases)
    if failed:
        print(f"{failed} comparison(s) differ beyond {TOL}", file=sys.stderr)
        sys.exit(1)
    print(f"every term agrees with lightly to {TOL} on {len(cases)} cases")
