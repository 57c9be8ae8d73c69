#!/usr/bin/env bash
# Fuzzes the compiler, the override splicer and profile reading (fuzz_targets/compiler.rs) with
# libFuzzer through cargo-fuzz on the nightly toolchain, installing both when missing.
#   fuzz/run.sh [RUNS [LIBFUZZER OPTIONS...]]    # default 20000 runs: the smoke CI runs
# Exits non-zero on any crash, stack overflow, leak or input slower than 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20000}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
fuzz/seed.sh
# No sanitizer: the compiler forbids unsafe code, and without ASan it runs about three times
# faster. Stack overflows, panics, timeouts and memory blow-ups are caught all the same.
cargo +nightly fuzz run compiler --release --sanitizer none -- -runs="$runs" -timeout=10 \
    -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 "${@:2}"
