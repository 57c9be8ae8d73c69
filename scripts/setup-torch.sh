#!/usr/bin/env bash
# Installs PyTorch 2.11.0 from PyPI into .torch/ (a virtual environment in the repository), for
# the libtorch backend (`--features tch`) and the PyTorch yardstick in bench/, with timm (and
# the torchvision that goes with torch 2.11) for bench/export_check.py and bench/gpu_yardstick.py,
# and lightly for bench/lightly_check.py. The wheel is the
# CUDA 13.0 build, so the same binary also runs on GPU machines that carry torch 2.11.
# Idempotent: a second run only checks the installed version.
#
# It also installs Debian's libgloo-dev: the wheel carries c10d's headers (dist/, the collectives
# of data-parallel training) but not gloo's, which ProcessGroupGloo.hpp includes. Only headers
# are used: c10d holds gloo's types behind pointers, so their version does not change the
# layout of anything the shim makes, and every gloo symbol comes from the wheel's libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f /usr/include/gloo/algorithm.h ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq libgloo-dev >/dev/null
fi
venv=.torch
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import torch, sys; sys.exit(torch.__version__.split("+")[0] != "2.11.0")' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.11.0 numpy
fi
# The CUDA C runtime's and CCCL's headers, which the wheel's nvidia packages leave out and the
# NCCL process group's header includes (a build with the `nccl` feature).
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if [ -d "$site/nvidia/cu13" ] && [ ! -d "$site/nvidia/cu13/include/crt" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check nvidia-cuda-crt==13.0.88 nvidia-cuda-cccl==13.0.85
fi
if ! "$venv/bin/python" -c 'import timm, sys; sys.exit(timm.__version__ != "1.0.31")' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.11.0 torchvision==0.26.0 timm==1.0.31
fi
# lightly, an independent library of SSL losses, for bench/lightly_check.py.
if ! "$venv/bin/python" -c 'import lightly, sys; sys.exit(lightly.__version__ != "1.6.0")' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.11.0 torchvision==0.26.0 lightly==1.6.0
fi
"$venv/bin/python" -c 'import torch; print("torch", torch.__version__, "at", torch.__path__[0])'
