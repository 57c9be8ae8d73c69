"""Writes the first N images of each Fashion-MNIST split as IDX .gz files into a folder: a small
copy of the data for machines that have no `dataset-fashion-mnist` (it travels with the check).

    python3 scripts/cut-fashion-mnist.py OUT_DIR [--train 1024] [--test 512] [--from DIR]
"""

import argparse
import gzip
import os
import struct

FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def cut(src: str, dst: str, count: int) -> None:
    """Copies the IDX header with the count replaced, then the first `count` items."""
    with gzip.open(src, "rb") as f:
        magic, n = struct.unpack(">II", f.read(8))
        dims = magic & 0xFF
        shape = struct.unpack(">" + "I" * (dims - 1), f.read(4 * (dims - 1)))
        item = 1
        for d in shape:
            item *= d
        count = min(count, n)
        body = f.read(item * count)
    with gzip.open(dst, "wb") as f:
        f.write(struct.pack(">II", magic, count) + struct.pack(">" + "I" * len(shape), *shape) + body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--train", type=int, default=1024)
    ap.add_argument("--test", type=int, default=512)
    ap.add_argument("--from", dest="src", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for split, count in (("train", args.train), ("test", args.test)):
        for name in FILES[split]:
            cut(os.path.join(args.src, name), os.path.join(args.out, name), count)
    print(f"{args.train} training and {args.test} test images in {args.out}")


if __name__ == "__main__":
    main()
