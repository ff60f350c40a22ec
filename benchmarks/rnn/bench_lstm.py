"""An LSTM's forward and backward pass over a sequence: xpnet against torch.nn.LSTM.

The workload: batch 64, T = 50, n_x = 27, n_a = 128, float32, the gradient of
Σ G ∗ a with respect to the weights (and the states, which every implementation needs
to carry back through time). Timed in one process, in interleaved rounds, the best of
each round's repeats kept; the ratios are to ``torch.nn.LSTM`` (eager, autograd) from
the same rounds. The matrix-product rates of NumPy and PyTorch are printed beside them,
so that a reader can tell the machine from the library.

Run from the repository root:
``PYTHONPATH=. python benchmarks/rnn/bench_lstm.py [--rounds 5] [--out benchmarks/rnn]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("JAX_ENABLE_X64", "0")

import xpnet
from xpnet.backend import Backend
from xpnet.layers import LSTM

M, T, N_X, N_A = 64, 50, 27, 128


def host_data(seed=0):
    rng = np.random.RandomState(seed)
    W = {f"{p}{g}1": (rng.randn(N_A, N_A + N_X) * 0.1 if p == "W" else rng.randn(N_A, 1) * 0.1)
         for g in "fico" for p in "Wb"}  # fmt: skip
    return W, rng.randn(N_X, M, T), rng.randn(N_A, M, T)


def xpnet_step(name, W, x, G):
    backend = Backend.load(name, "cpu" if name == "torch" else None, "float32")
    xp, layer = backend.xp, LSTM(1)
    P = {k: backend.put(v) for k, v in W.items()}
    x, G = backend.put(x), backend.put(G)

    def run(P, x, G):
        _, cache = layer.forward(x, P, xp=xp)
        return layer.backward(G, cache, need_dA_prev=False, xp=xp)[1]

    if name == "jax":
        import jax

        jitted = jax.jit(run)
        return lambda: jax.block_until_ready(jitted(P, x, G))
    return lambda: run(P, x, G)


def jax_scan_step(W, x, G):
    """The same cell under ``jax.lax.scan`` (forward, then back in reverse), compiled:
    the engine's step functions as the scan bodies, no equation written again."""
    import jax

    from xpnet.layers.recurrent import (
        LSTMStep,
        fuse_gates,
        lstm_step_backward,
        lstm_step_forward,
        lstm_weight_gradients,
    )

    backend = Backend.load("jax", None, "float32")
    xp = backend.xp
    P = {k[:-1]: backend.put(v) for k, v in W.items()}
    x, G = backend.put(x), backend.put(G)

    def run(P, x, G):
        Wf, b = fuse_gates(P, xp=xp)
        zeros = xp.zeros((N_A, M), dtype=x.dtype)

        def forward(carry, xt):
            step = lstm_step_forward(xt, *carry, Wf, b, xp=xp)
            return (step.a_next, step.c_next), step

        _, steps = jax.lax.scan(forward, (zeros, zeros), xp.moveaxis(x, 2, 0))

        def backward(carry, inputs):
            step, Gt = inputs
            _, da_prev, dc_prev, dZ = lstm_step_backward(
                Gt + carry[0], carry[1], step, Wf, need_dxt=False, xp=xp
            )
            return (da_prev, dc_prev), dZ

        inputs = (steps, xp.moveaxis(G, 2, 0))
        _, dZ = jax.lax.scan(backward, (zeros, zeros), inputs, reverse=True)
        listed = [LSTMStep(*(field[t] for field in steps)) for t in range(T)]
        return lstm_weight_gradients([dZ[t] for t in range(T)], listed, xp=xp)

    jitted = jax.jit(run)
    return lambda: jax.block_until_ready(jitted(P, x, G))


def torch_step(W, x, G):
    import torch

    net = torch.nn.LSTM(N_X, N_A)
    with torch.no_grad():  # the same weights, in torch's (i, f, g, o) order, one bias
        order = ("i", "f", "c", "o")
        net.weight_ih_l0.copy_(torch.tensor(np.concatenate([W[f"W{g}1"][:, N_A:] for g in order])))
        net.weight_hh_l0.copy_(torch.tensor(np.concatenate([W[f"W{g}1"][:, :N_A] for g in order])))
        net.bias_ih_l0.copy_(torch.tensor(np.concatenate([W[f"b{g}1"][:, 0] for g in order])))
        net.bias_hh_l0.zero_()
    xt = torch.tensor(np.transpose(x, (2, 1, 0)), dtype=torch.float32)
    Gt = torch.tensor(np.transpose(G, (2, 1, 0)), dtype=torch.float32)

    def run():
        net.zero_grad(set_to_none=True)
        out, _ = net(xt)
        (out * Gt).sum().backward()

    return run


def matmul_rates(n=1024, repeats=5):
    import torch

    rates = {}
    a = np.random.rand(n, n).astype(np.float32)
    b = torch.rand(n, n)
    for name, f in (("numpy", lambda: a @ a), ("torch", lambda: b @ b)):
        f()
        best = min(_timed(f) for _ in range(repeats))
        rates[name] = 2 * n**3 / best / 1e9
    return rates


def _timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    W, x, G = host_data()
    steps = {
        "torch.nn.LSTM": torch_step(W, x, G),
        "xpnet[numpy]": xpnet_step("numpy", W, x, G),
        "xpnet[torch]": xpnet_step("torch", W, x, G),
        "xpnet[jax, compiled]": xpnet_step("jax", W, x, G),
        "xpnet[jax, compiled, lax.scan]": jax_scan_step(W, x, G),
    }
    for f in steps.values():  # warm up (and compile)
        f()
    times = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, f in steps.items():
            times[name].append(min(_timed(f) for _ in range(args.repeats)))
    ratios = {
        name: [t / r for t, r in zip(ts, times["torch.nn.LSTM"], strict=True)]
        for name, ts in times.items()
    }
    targets = {"xpnet[torch]": 2.0, "xpnet[jax, compiled]": 1.5}
    rows = []
    for name in steps:
        ratio = float(np.median(ratios[name]))
        target = targets.get(name)
        verdict = "" if target is None else ("met" if ratio <= target else "missed")
        rows.append({"implementation": name, "ms": 1e3 * float(np.median(times[name])),
                     "ratio": ratio, "target": target, "verdict": verdict})  # fmt: skip
    result = {
        "workload": {"m": M, "T": T, "n_x": N_X, "n_a": N_A, "dtype": "float32"},
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "matmul_gflops_1024": matmul_rates(),
        },
        "rows": rows,
        "rounds": args.rounds,
    }
    lines = [
        "# LSTM forward + backward: xpnet against torch.nn.LSTM",
        "",
        f"Batch {M}, T = {T}, n_x = {N_X}, n_a = {N_A}, float32, CPU "
        f"({result['machine']['cpus']} cores, shared). Median of {args.rounds} interleaved rounds,",
        "each the best of its repeats; `ratio` is the time over torch.nn.LSTM's in the same round.",
        "A busy machine shows in low matrix-product rates: compare the ratios, not the times.",
        "Matrix-product rates (1024², float32, GFLOP/s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in result["machine"]["matmul_gflops_1024"].items()),
        "",
        "| implementation | ms | ratio | target | verdict |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        target = "" if r["target"] is None else f"≤ {r['target']}×"
        lines.append(
            f"| {r['implementation']} | {r['ms']:.1f} | {r['ratio']:.2f} | {target} | {r['verdict']} |"
        )
    print("\n".join(lines))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "RESULTS.md").write_text("\n".join(lines) + "\n")
        (args.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    xpnet.set_backend("numpy")
    main()
