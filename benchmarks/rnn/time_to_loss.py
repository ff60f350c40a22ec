"""The language model's time to loss: xpnet's course loop against a PyTorch loop.

The "Dinosaurus Island" model (an RNN of 50 units and a softmax over 27 characters),
trained with the course's recipe: one name per step in the course's order (the names
shuffled by ``RandomState(0)``), the hidden state carried from name to name, the
course's start (``RandomState(1)``: Wax, Waa, Wya ~ 0.01·N(0, 1), zero biases), plain
gradient descent at 0.01 with every gradient clipped to [−5, 5]. The clock runs until
the course's smoothed loss (0.999·loss + 0.001·current, from −7·log(1/27)) is back
down to the value the course prints at iteration 12,000, 23.291971, after its early
rise.

Rows: xpnet's course step (:func:`xpnet.course.char_lm.optimize`, the step its
``model`` runs, without ``model``'s sampling every 1,000 iterations) on NumPy and on
PyTorch, and the same model written here as a PyTorch user would write it (autograd,
``clamp_`` and an in-place update). The rows advance 1,000 iterations each in turn
(interleaved chunks); a row's time to loss is the sum of its chunks' times up to the
chunk where its loss reaches the target, the last chunk prorated by its iterations.

Run from the repository root:
``PYTHONPATH=. python benchmarks/rnn/time_to_loss.py [--dtype float32] [--out benchmarks/rnn]``;
the figures go into ``results.json`` under ``time_to_loss_<dtype>``.
With ``--iterations N`` below the target's iteration the run stops at N and the time to
loss is extrapolated from the median time per 1,000 iterations (said so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("JAX_ENABLE_X64", "0")

import xpnet
from xpnet.course import char_lm
from xpnet.datasets import load_dinos
from xpnet.language_model import initialize, to_course

TARGET = 23.291971  # the course's smoothed loss at iteration 12,000
TARGET_ITERATION = 12000
CHARS = ["\n", *"abcdefghijklmnopqrstuvwxyz"]
CHAR_TO_IX = {ch: i for i, ch in enumerate(CHARS)}
N_A, VOCAB, DINO_NAMES = 50, 27, 7
CHUNK = 1000


def examples(names):
    """The course's order: the names shuffled once by ``RandomState(0)``, as (X, Y)."""
    names = [x.strip() for x in names]
    np.random.RandomState(0).shuffle(names)
    pairs = []
    for name in names:
        ix = [CHAR_TO_IX[c] for c in name]
        pairs.append(([None, *ix], [*ix, CHAR_TO_IX["\n"]]))
    return pairs


def course_start(dtype):
    """The course's Wax, Waa, Wya, b, by on the host (``RandomState(1)``)."""
    host = to_course(initialize(N_A, VOCAB, VOCAB, np.random.RandomState(1)))
    return {k: v.astype(dtype) for k, v in host.items()}


def xpnet_loop(backend_name, pairs, dtype):
    """xpnet's course step on ``backend_name``; yields the losses of each chunk."""
    with xpnet.use_backend(backend_name, dtype=dtype) as backend:
        parameters = {k: backend.put(v) for k, v in course_start(dtype).items()}
        a_prev = backend.put(np.zeros((N_A, 1), dtype=dtype))
    j = 0
    while True:
        losses = []
        for _ in range(CHUNK):
            X, Y = pairs[j % len(pairs)]
            curr, _, a_prev = char_lm.optimize(X, Y, a_prev, parameters, learning_rate=0.01)
            losses.append(curr)
            j += 1
        yield losses


def torch_loop(pairs, dtype):
    """The same model in PyTorch: autograd, gradients clamped to [−5, 5], SGD at 0.01."""
    import torch

    p = {k: torch.asarray(v).requires_grad_(True) for k, v in course_start(dtype).items()}
    Wax, Waa, Wya, b, by = (p[k] for k in ("Wax", "Waa", "Wya", "b", "by"))
    a_prev = torch.zeros((N_A, 1), dtype=getattr(torch, dtype))
    j = 0
    while True:
        losses = []
        for _ in range(CHUNK):
            X, Y = pairs[j % len(pairs)]
            a, loss = a_prev, 0.0
            for x, y in zip(X, Y, strict=True):
                inner = Waa @ a + b
                a = torch.tanh(inner if x is None else Wax[:, x : x + 1] + inner)
                loss = loss - torch.log_softmax(Wya @ a + by, dim=0)[y, 0]
            loss.backward()
            with torch.no_grad():
                for v in p.values():
                    v -= 0.01 * v.grad.clamp_(-5, 5)
                    v.grad = None
            a_prev = a.detach()
            losses.append(float(loss.detach()))
            j += 1
        yield losses


def measure(rows, iterations):
    """Advance every row a chunk at a time, in turn; the smoothed loss at each step."""
    start = -np.log(1.0 / VOCAB) * DINO_NAMES  # the course's get_initial_loss
    state = {name: {"smooth": start, "chunks": [], "reached": None} for name in rows}
    done = 0
    while done < iterations:
        for name, loop in rows.items():
            s = state[name]
            t = time.perf_counter()
            losses = next(loop)
            seconds = time.perf_counter() - t
            s["chunks"].append(seconds)
            for k, curr in enumerate(losses):
                s["smooth"] = s["smooth"] * 0.999 + curr * 0.001
                j = done + k
                if s["reached"] is None and j >= CHUNK and s["smooth"] <= TARGET:
                    s["reached"] = j
                    s["time_to_loss"] = sum(s["chunks"][:-1]) + seconds * (k + 1) / len(losses)
                if j == TARGET_ITERATION:
                    s["loss_at_12000"] = s["smooth"]
        done += CHUNK
        print(f"  {done} iterations: " + ", ".join(
            f"{n} {s['smooth']:.4f} ({sum(s['chunks']):.0f} s)" for n, s in state.items()
        ), flush=True)  # fmt: skip
        if all(s["reached"] is not None and "loss_at_12000" in s for s in state.values()):
            break
    for s in state.values():
        s["per_1000"] = statistics.median(s["chunks"][1:] or s["chunks"])
        if s["reached"] is None:  # stopped early: extrapolated from the time per 1,000
            s["extrapolated"] = True
            s["time_to_loss"] = s["per_1000"] * TARGET_ITERATION / CHUNK
    return state


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--iterations", type=int, default=14000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    pairs = examples(load_dinos())
    rows = {
        "torch loop": torch_loop(pairs, args.dtype),
        "xpnet[numpy]": xpnet_loop("numpy", pairs, args.dtype),
        "xpnet[torch]": xpnet_loop("torch", pairs, args.dtype),
    }
    state = measure(rows, args.iterations)
    base = state["torch loop"]["time_to_loss"]
    table = []
    for name, s in state.items():
        table.append({
            "implementation": name,
            "reached_at": s["reached"],
            "loss_at_12000": s.get("loss_at_12000"),
            "seconds_per_1000": s["per_1000"],
            "time_to_loss_s": s["time_to_loss"],
            "extrapolated": s.get("extrapolated", False),
            "ratio": s["time_to_loss"] / base,
        })  # fmt: skip
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "dtype": args.dtype,
        "target": TARGET,
        "rows": table,
    }
    print(json.dumps(report, indent=1))
    if args.out:
        path = args.out / "results.json"  # beside bench_lstm.py's figures
        figures = json.loads(path.read_text()) if path.is_file() else {}
        figures[f"time_to_loss_{args.dtype}"] = report
        path.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
