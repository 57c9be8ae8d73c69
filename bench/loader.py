"""torchvision's DataLoader on an image folder with BYOL's two views at 224 px: images per
second, the yardstick for sslc's streamed image_folder (bench/loader-rss.sh with
bench/loader-byol.ssl runs the same views in sslc).

Each image is read, decoded with PIL, and turned into two views as BYOL's paper makes them:
RandomResizedCrop(224, scale 0.08-1), flip, colour jitter (0.4, 0.4, 0.2, 0.1) with p 0.8,
grayscale p 0.2, Gaussian blur (p 1.0 and 0.1), solarize (p 0 and 0.2), tensors normalised.

    .torch/bin/python bench/loader.py DIR [--workers 2] [--batch 32] [--steps 28]
"""

import argparse
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import v2 as T


def view(blur: float, solarize: float) -> T.Compose:
    return T.Compose([
        T.RandomResizedCrop(224, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([T.GaussianBlur(23, sigma=(0.1, 2.0))], p=blur),
        T.RandomSolarize(0.5, p=solarize),
        T.ToImage(),
        T.ToDtype(torch.float32, scale=True),
        T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])


class TwoViews:
    def __init__(self):
        self.a, self.b = view(1.0, 0.0), view(0.1, 0.2)

    def __call__(self, img):
        return self.a(img), self.b(img)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=28)
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = datasets.ImageFolder(args.dir, transform=TwoViews())
    loader = DataLoader(data, batch_size=args.batch, shuffle=True, num_workers=args.workers,
                        drop_last=True, persistent_workers=args.workers > 0)
    it = iter(loader)
    next(it)  # workers started, first batch made
    start = time.perf_counter()
    for _ in range(args.steps):
        next(it)
    rate = args.steps * args.batch / (time.perf_counter() - start)
    print(f"torchvision DataLoader, {args.workers} workers: {rate:.0f} img/s "
          f"({rate / max(args.workers, 1):.0f} per worker)")


if __name__ == "__main__":
    main()
