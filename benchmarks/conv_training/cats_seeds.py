"""The cats' spread between seeds: xpnet[jax, compiled] and the PyTorch loop of
bench_conv_training.py, 15 epochs from each of seeds 3, 4, 5, each epoch's test accuracy.

Usage: KERAS_BACKEND=jax OMP_NUM_THREADS=1 python cats_seeds.py DIR
"""

import sys
import warnings

import bench_conv_training as bench

warnings.simplefilter("ignore")
data = bench.cats(sys.argv[1])
for seed in (3, 4, 5):
    for name in ("xpnet[jax, compiled]", "PyTorch loop"):
        model, curve = bench.rows(1, data[0].shape[1:], seed)[name](), []
        for _ in range(15):
            model.epoch(data[0], data[1])
            curve.append(model.accuracy(data[2], data[3]))
        print(seed, name, max(curve), [round(a, 2) for a in curve], flush=True)
