"""PyTorch re-implementations of what sslc computes, shared by the bench scripts.

Modules:
    data       Fashion-MNIST IDX reading and sslc's `fashion_mnist` source.
    augment    sslc's view operations (crops with recorded geometry, flip, colour jitter,
               grayscale, blur, solarize) and token masks (block mask, window queries).
    nets       ViT, MLP, DINO head, transformer blocks, coordinate embedding, linear layers,
               initialised as sslc initialises them.
    losses     The loss functions and token ops of sslc's executor.
    schedules  constant / linear / cosine / warmup, evaluated per step at a fractional epoch.
    optim      AdamW with decoupled decay on linear and conv weights only (rank 2 and 4), per-tensor gradient
               clipping, held (frozen) parameters, and the EMA rule.
    knn        The kNN probe.
    run        Command line, training loop, timing and the JSON result line.
"""
