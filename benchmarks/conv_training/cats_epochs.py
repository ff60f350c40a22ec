"""The cats in 30 epochs: ConvNet's best test accuracy over five seeds, with its default
start (PyTorch's) and with He's, against DeepNet's 80% with the course's recipe.

The task of bench_conv_training.py (3×3×16 → pool 2 → 3×3×32 → pool 2 → one sigmoid
unit, Adam at 0.001, batches of 64, float32, one epoch per warm-started fit, the test
accuracy read after each epoch), run for 30 epochs instead of 15, on NumPy.

Usage: OMP_NUM_THREADS=1 python cats_epochs.py DIR [EPOCHS] [SEEDS]
"""

import sys
import time
import warnings

import numpy as np

import xpnet
from xpnet.datasets import load_catvnoncat

warnings.simplefilter("ignore")
X_train, y_train, X_test, y_test, _ = load_catvnoncat(sys.argv[1])
X_train = X_train.reshape(-1, 64, 64, 3).astype(np.float32)
X_test = X_test.reshape(-1, 64, 64, 3).astype(np.float32)
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
seeds = range(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
with xpnet.use_backend("numpy"):
    for initialization in ("pytorch", "he"):
        bests = []
        for seed in seeds:
            model = xpnet.ConvNet(
                conv_filters=(16, 32),
                batch_size=64,
                learning_rate=0.001,
                l2=0.0,
                num_iterations=1,
                warm_start=True,
                tol=None,
                dtype="float32",
                progress=False,
                random_state=seed,
                initialization=initialization,
            )
            curve, start = [], time.perf_counter()
            for _ in range(epochs):
                model.fit(X_train, y_train)
                curve.append(model.score(X_test, y_test))
            bests.append(max(curve))
            seconds = time.perf_counter() - start
            print(initialization, seed, f"{seconds:.0f}s", max(curve), curve, flush=True)
        print("==", initialization, "median best", np.median(bests), bests, flush=True)
