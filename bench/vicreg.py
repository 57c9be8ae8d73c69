"""VICReg, as sslc trains bench/recipes/vicreg.ssl, in PyTorch, on Fashion-MNIST, with lightly's loss.

Usage and what it computes: as bench/barlow_twins.py, the loss lightly.loss.VICRegLoss(λ 25,
μ 25, ν 1, ε 1e-4) of the two views' projections.
"""

import sys

from lightly.loss import VICRegLoss

from barlow_twins import BarlowTwins
from sslbench.run import main


class Vicreg(BarlowTwins):
    name = "vicreg"

    def criterion(self):
        return VICRegLoss(lambda_param=25.0, mu_param=25.0, nu_param=1.0)


if __name__ == "__main__":
    main(Vicreg(), __doc__.splitlines()[0], sys.argv[1:])
