#!/usr/bin/env bash
# Regenerates the reference part of docs/language.md (below its marker) from the registry, with
# the sslc built at target/release (or the one given as $1).
set -euo pipefail
cd "$(dirname "$0")/.."
sslc="${1:-target/release/sslc}"
marker='<!-- reference: generated from the registry by `sslc reference`; keep below -->'
head="$(awk -v m="$marker" '{print} $0 == m {exit}' docs/language.md)"
{ printf '%s\n' "$head"; "$sslc" reference; } > docs/language.md.partial
mv docs/language.md.partial docs/language.md
