#!/usr/bin/env bash
# Builds the fuzz corpus's seeds in fuzz/corpus/compiler from the shipped recipes, the bad
# recipes of tests/ui, overrides on them, and the profiles (the first byte picks the mode; see
# fuzz_targets/compiler.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus/compiler
mkdir -p "$out"
n=0
for f in recipes/*.ssl tests/ui/*.ssl; do
    { printf '\x00'; cat "$f"; } >"$out/seed-$n"; n=$((n + 1))
done
for f in recipes/*.ssl; do
    { printf '\x01'; cat "$f"; printf '\0train.epochs=3\0train.epochs=5\0data.batch=8\0optimizer.lr=cosine(1e-3, 0)\0data.source.size=64'; } >"$out/seed-$n"
    n=$((n + 1))
done
for f in recipes/profiles/*.yaml; do
    { printf '\x02'; cat "$f"; } >"$out/seed-$n"; n=$((n + 1))
done
echo "$n seeds in $out"
