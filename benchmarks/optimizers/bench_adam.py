"""xpnet's Adam update against PyTorch's own ``torch.optim.Adam`` on the same tensors.

The parameters of a 784-256-128-10 network in float32 (235,146 numbers), random
gradients. Each round times every variant in turn (interleaved, so that a busy machine
slows them alike) over ``--updates`` updates; the table holds each variant's median
over the rounds, in µs per update, and its ratio to ``torch.optim.Adam(foreach=True)``.

Variants, on torch and on numpy:

- ``before``: the pure update as the optimiser wrote it before it could write in place
  (a new array for each elementwise pass; kept below as the reference);
- ``pure``: ``Adam.update(...)``, new arrays, the inputs left as they were;
- ``in place``: ``Adam.update(..., in_place=True)`` on arrays the caller owns.

Run from the repository root: ``PYTHONPATH=. python benchmarks/optimizers/bench_adam.py``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from array_api_compat import array_namespace

from xpnet import optimizers as opt

SHAPES = {"W1": (256, 784), "b1": (256, 1), "W2": (128, 256), "b2": (128, 1)}
SHAPES |= {"W3": (10, 128), "b3": (10, 1)}


def adam_before(parameters, grads, state, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    """The reference: Adam's update as a new array per pass (the earlier form)."""
    xp = array_namespace(*parameters.values())
    t = state["t"] + 1
    v, s, new = {}, {}, {}
    for name, P in parameters.items():
        d, g = "d" + name, grads["d" + name]
        v[d] = beta1 * state["v"][d] + (1 - beta1) * g
        v_corrected = v[d] / (1 - beta1**t)
        s[d] = beta2 * state["s"][d] + (1 - beta2) * (g * g)
        s_corrected = s[d] / (1 - beta2**t)
        new[name] = P - alpha * v_corrected / (xp.sqrt(s_corrected) + eps)
    return new, {"v": v, "s": s, "t": t}


def matmul_gflops(library: str, n: int = 2048, repeats: int = 5) -> float:
    """The float32 n×n matrix product's rate, best of ``repeats``."""
    rng = np.random.default_rng(0)
    A, B = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    if library == "torch":
        A, B = torch.from_numpy(A), torch.from_numpy(B)
    A @ B
    best = min(_seconds(lambda: A @ B) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def variants(library: str) -> dict:
    rng = np.random.default_rng(0)
    host = {k: rng.standard_normal(s, dtype=np.float32) * 0.05 for k, s in SHAPES.items()}
    hgrad = {"d" + k: rng.standard_normal(s, dtype=np.float32) for k, s in SHAPES.items()}
    put = torch.from_numpy if library == "torch" else np.asarray
    grads = {k: put(g.copy()) for k, g in hgrad.items()}
    adam, lr = opt.Adam(), 1e-3
    out = {}

    def pure_runner(update):
        params = {k: put(P.copy()) for k, P in host.items()}
        box = [params, adam.init(params)]

        def run():
            box[0], box[1] = update(box[0], grads, box[1])

        return run

    out["before"] = pure_runner(lambda P, G, S: adam_before(P, G, S, lr))
    out["pure"] = pure_runner(lambda P, G, S: adam.update(P, G, S, lr))
    out["in place"] = pure_runner(lambda P, G, S: adam.update(P, G, S, lr, in_place=True))
    if library == "torch":
        for foreach in (True, False):
            tensors = [torch.from_numpy(P.copy()) for P in host.values()]
            for T, k in zip(tensors, host, strict=True):
                T.grad = grads["d" + k]
            torch_adam = torch.optim.Adam(tensors, lr=lr, foreach=foreach)
            name = "torch.optim.Adam" + ("" if foreach else " (foreach=False)")
            out[name] = torch_adam.step
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch's threads")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    torch.set_num_threads(args.threads)
    runs = {(lib, name): fn for lib in ("torch", "numpy") for name, fn in variants(lib).items()}
    times: dict = {key: [] for key in runs}
    for fn in runs.values():  # warm-up
        fn()
    for _ in range(args.rounds):
        for key, fn in runs.items():
            start = time.perf_counter()
            for _ in range(args.updates):
                fn()
            times[key].append((time.perf_counter() - start) / args.updates * 1e6)
    medians = {key: statistics.median(t) for key, t in times.items()}
    reference = medians[("torch", "torch.optim.Adam")]
    rates = {lib: matmul_gflops(lib) for lib in ("numpy", "torch")}
    print(f"float32 matmul 2048²: numpy {rates['numpy']:.0f} GFLOP/s, torch {rates['torch']:.0f}")
    print(f"threads: torch {torch.get_num_threads()}; {args.rounds} rounds × {args.updates}")
    print("| library | variant | µs / update | vs torch.optim.Adam |")
    print("|---|---|---|---|")
    for (lib, name), us in medians.items():
        print(f"| {lib} | {name} | {us:.0f} | {us / reference:.2f} |")


if __name__ == "__main__":
    main()
