#!/usr/bin/env bash
# Trains every recipe in recipes/ (or the ones named) with its defaults, one after another, and
# prints a Markdown table of the kNN probe on raw pixels, the untrained and the trained backbone
# and the wall time of each run. Usage: scripts/seed-table.sh [RECIPE.ssl ...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
recipes=("$@")
[ ${#recipes[@]} -gt 0 ] || recipes=(recipes/*.ssl)
echo "| recipe | raw pixels | untrained | trained | wall time |"
echo "|---|---|---|---|---|"
for r in "${recipes[@]}"; do
  start=$(date +%s)
  out=$(./target/release/sslc run "$r" 2>/dev/null)
  secs=$(( $(date +%s) - start ))
  pixels=$(awk '$1 == "raw" { print $3 }' <<<"$out")
  untrained=$(awk '$1 == "untrained" { print $2 }' <<<"$out")
  trained=$(awk '$1 == "trained" { print $2 }' <<<"$out")
  printf '| %s | %s | %s | %s | %dm%02ds |\n' "$r" "$pixels" "$untrained" "$trained" $((secs / 60)) $((secs % 60))
done
