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
exec "$@"
