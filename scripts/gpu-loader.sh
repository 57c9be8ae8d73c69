#!/usr/bin/env bash
# BYOL's paper profile (ViT-S/16, 224 px crops) training from a streamed folder of generated
# JPEGs on a GPU: does the loader keep the device busy? Writes COUNT photo-like 500×375 JPEGs,
# trains for SECONDS, stops the run with Ctrl-C, and prints images/s, the share of time steps
# waited for data, the process's peak RSS and the GPU's peak memory.
#
#   scripts/gpu-loader.sh [--sslc BIN] [--count 50000] [--seconds 150] [--device tch:cuda]
#                         [--batch 64] [--out DIR]
#
# BIN is sslc built with `--features tch`; the JPEG writer is target/release/examples/jpeg_folder
# (`cargo build --release -p sslc-runtime --example jpeg_folder`).
set -euo pipefail
cd "$(dirname "$0")/.."
sslc=target/release/sslc count=50000 seconds=150 device=tch:cuda batch=64 out=gpu-loader
while [ $# -gt 0 ]; do
    case "$1" in
        --sslc) sslc="$2"; shift ;;
        --count) count="$2"; shift ;;
        --seconds) seconds="$2"; shift ;;
        --device) device="$2"; shift ;;
        --batch) batch="$2"; shift ;;
        --out) out="$2"; shift ;;
        *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
    esac
    shift
done
python="${PYTHON:-python3}"
[ -x .torch/bin/python ] && python=.torch/bin/python
torch_lib="$("$python" -c 'import torch, os; print(os.path.join(torch.__path__[0], "lib"))')"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
mkdir -p "$out"
folder="$out/jpeg"
start=$(date +%s)
target/release/examples/jpeg_folder "$folder" "$count" >"$out/jpeg.log" 2>&1
echo "$count JPEGs written in $(($(date +%s) - start)) s ($(du -sh "$folder" | cut -f1)), $(nproc) cores"
source="image_folder(path: \"$folder\", size: 256, classes: 10, probe_images: 256)"
"$sslc" run recipes/byol.ssl --device "$device" --profile recipes/profiles/byol-paper.yaml \
    --set "data.source=$source" --set "data.batch=$batch" --set train.epochs=1 --set train.log_every=10 \
    --set 'train.probe=knn(online.backbone, k: 20, images: 256)' --out "$out/run" >"$out/run.log" 2>&1 &
pid=$!
watcher=""
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 >"$out/gpu-mem.log" 2>/dev/null &
    watcher=$!
fi
sleep "$seconds"
rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || echo "?")
kill -INT "$pid" 2>/dev/null || true
wait "$pid" || true
if [ -n "$watcher" ]; then kill "$watcher" 2>/dev/null || true; fi
last=$(grep -E '^step' "$out/run.log" | tail -1 || true)
echo "last progress line: $last"
echo "peak RSS ${rss} MiB; peak GPU memory $(sort -n "$out/gpu-mem.log" 2>/dev/null | tail -1) MiB"
rm -rf "$folder" "$out/run"
