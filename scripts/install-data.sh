#!/usr/bin/env bash
# Installs the real data sets sslc reads: Fashion-MNIST's IDX files from Debian's
# `dataset-fashion-mnist` package, into /usr/share/datasets/fashion-mnist/ (the default `path`
# of the `fashion_mnist` and `fashion_scenes` sources). Needs root (or sudo) and apt.
set -euo pipefail
dir=/usr/share/datasets/fashion-mnist
if [ -f "$dir/train-images-idx3-ubyte.gz" ] && [ -f "$dir/t10k-labels-idx1-ubyte.gz" ]; then
  echo "Fashion-MNIST is already in $dir"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq dataset-fashion-mnist
ls -l "$dir"
