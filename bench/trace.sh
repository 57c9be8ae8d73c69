#!/usr/bin/env bash
# Records every recipe's loss terms after each step of a short run (one epoch on 512 images),
# one file per recipe, so that a change meant to keep behaviour can be checked bit for bit:
#
#   bench/trace.sh target/release/sslc flex /tmp/before     # before the change
#   bench/trace.sh target/release/sslc flex /tmp/after      # after it
#   diff -r /tmp/before /tmp/after && echo identical
#
# The losses are printed as `metrics.jsonl` stores them: an f32 widened to f64 and written in
# the shortest form that reads back exactly, so equal text means equal bits.
set -euo pipefail
sslc=${1:?usage: bench/trace.sh SSLC DEVICE OUTDIR}
device=${2:?usage: bench/trace.sh SSLC DEVICE OUTDIR}
out=${3:?usage: bench/trace.sh SSLC DEVICE OUTDIR}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for recipe in "$here"/recipes/*.ssl "$here"/tests/run/tiny_byol.ssl; do
    name=$(basename "$recipe" .ssl)
    "$sslc" run "$recipe" --device "$device" --out "$work/$name" \
        --set train.epochs=1 --set train.log_every=1 --set data.source.count=512 >"$work/$name.log" 2>&1 ||
        { cat "$work/$name.log"; echo "$name failed" >&2; exit 1; }
    python3 - "$work/$name/metrics.jsonl" >"$out/$name.trace" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if "loss" in m:
        terms = " ".join(f"{k}={v!r}" for k, v in sorted(m["terms"].items()))
        print(m["step"], repr(m["loss"]), terms)
PY
    echo "$name: $(wc -l <"$out/$name.trace") steps"
done
