#!/usr/bin/env bash
# Runs a command (usually cargo) against the PyTorch in .torch/ (see setup-torch.sh): builds of
# the `tch` feature link that torch's libtorch, and binaries find its libraries at run time.
#   scripts/with-torch.sh cargo test --release --workspace --features tch
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x "$root/.torch/bin/python" ]; then
    echo "no PyTorch in $root/.torch; run scripts/setup-torch.sh first" >&2
    exit 2
fi
export VIRTUAL_ENV="$root/.torch"
export PATH="$VIRTUAL_ENV/bin:$PATH"
export LIBTORCH_USE_PYTORCH=1
# tch 0.22 names torch 2.9.0; 2.11.0 provides every symbol it uses.
export LIBTORCH_BYPASS_VERSION_CHECK=1
torch_lib="$("$VIRTUAL_ENV/bin/python" -c 'import torch, os; print(os.path.join(torch.__path__[0], "lib"))')"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# libtorch's OpenMP threads keep spinning between ops instead of sleeping: sslc's ops reach
# libtorch with longer host-side gaps than PyTorch's (burn's per-op bookkeeping), past libgomp's
# default spin, and each op then wakes the sleeping threads through the kernel (BYOL on 2 cores:
# 175-203 img/s -> 221-248; docs/results.md). Not for cargo: its test harness runs tests side
# by side, where spinning threads would take each other's cores. A wait policy or spin count of
# the caller's stays.
if [ -z "${OMP_WAIT_POLICY:-}" ] && [ -z "${GOMP_SPINCOUNT:-}" ] && [ "$(basename "${1:-}")" != cargo ]; then
    export OMP_WAIT_POLICY=ACTIVE
fi
exec "$@"
