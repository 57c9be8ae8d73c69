#!/usr/bin/env bash
# Peak memory of `sslc run` on an image folder as the folder grows: the recipe bench/loader-rss.ssl
# (64 px views, a near-empty network, 32 images a step) trains for STEPS steps on DIR, then is
# stopped with Ctrl-C; prints the peak RSS and the images/s. `--cache` decodes the whole folder
# up front instead of streaming it. Make folders with
#   cargo run --release -p sslc-runtime --example jpeg_folder -- DIR COUNT
#
# `--recipe` takes another recipe with `DIR` in place of its folder (bench/loader-byol.ssl: BYOL's
# views at 224 px, the sslc side of bench/loader.py).
#
#   bench/loader-rss.sh DIR [STEPS] [--cache] [--sslc BIN] [--recipe FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="" steps=28 cache="" sslc=target/release/sslc recipe=bench/loader-rss.ssl
while [ $# -gt 0 ]; do
    case "$1" in
        --cache) cache=", cache: true" ;;
        --sslc) sslc="$2"; shift ;;
        --recipe) recipe="$2"; shift ;;
        [0-9]*) steps="$1" ;;
        *) dir="$1" ;;
    esac
    shift
done
[ -n "$dir" ] || { echo "usage: $0 DIR [STEPS] [--cache] [--sslc BIN]" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed -e "s|DIR\"|$(cd "$dir" && pwd)\"$cache|" "$recipe" >"$work/recipe.ssl"
/usr/bin/time -f '%M' -o "$work/rss" "$sslc" run "$work/recipe.ssl" --set train.epochs=1000 \
    --out "$work/run" >"$work/log" 2>&1 &
pid=$!
logged() { n=$(grep -c '"loss"' "$work/run/metrics.jsonl" 2>/dev/null || true); echo "${n:-0}"; }
while [ "$(logged)" -lt "$steps" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.2
done
pkill -INT -P "$pid" 2>/dev/null || kill -INT "$pid"
wait "$pid" || true
files=$(find "$dir" -type f | wc -l)
rate=$(grep '"loss"' "$work/run/metrics.jsonl" | tail -1 | grep -o '"images_per_s":[0-9.]*' | cut -d: -f2)
echo "$dir: $files files${cache:+, cached}: peak RSS $(($(tail -1 "$work/rss") / 1024)) MiB, $(printf %.0f "$rate") img/s over $steps steps"
