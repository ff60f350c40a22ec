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
from xpnet.bench.layers import RNN, TARGETS, lstm_data, lstm_torch, lstm_xpnet

CASE = RNN[0]
M, T, N_X, N_A = CASE.m, CASE.T, CASE.n_x, CASE.n_a


def host_data(seed=0):
    """The weights ``W{g}1``, ``b{g}1``, x (n_x, m, T) and G (n_a, m, T), float32."""
    return lstm_data(CASE, seed)


def _called(built):
    _, step, sync, _ = built
    return lambda: sync(step(None))


def xpnet_step(name, W, x, G):
    """xpnet's LSTM on ``name`` (the builder of ``xpnet bench``'s rnn section; it draws
    the same W, x and G from the same seed)."""
    return _called(lstm_xpnet(CASE, name, compiled=name == "jax"))


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
    """torch.nn.LSTM from the same weights (the peer of ``xpnet bench``'s rnn section)."""
    return _called(lstm_torch(CASE))


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
    targets = TARGETS["rnn"]
    rows = []
    for name in steps:
        ratio = float(np.median(ratios[name]))
        target = targets.get(name)
        verdict = "" if target is None else ("met" if ratio <= target else "not met")
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
        written = args.out / "RESULTS.md"
        text = written.read_text() if written.is_file() else ""
        at = text.find("\n## ")  # the sections written by others (xpnet bench, time to loss)
        written.write_text("\n".join(lines) + "\n" + (text[at:] if at >= 0 else ""))
        path = args.out / "results.json"  # keeps the figures of time_to_loss.py
        kept = json.loads(path.read_text()) if path.is_file() else {}
        kept = {k: v for k, v in kept.items() if k.startswith("time_to_loss")}
        path.write_text(json.dumps(result | kept, indent=2) + "\n")


if __name__ == "__main__":
    xpnet.set_backend("numpy")
    main()
