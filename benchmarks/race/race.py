"""The epoch race of issue 25, the time to accuracy with the compile cache warm, and the
planar fit: each part's rows interleaved in one process, the machine's matrix-product
rates measured beside them.

Run from the repository's root (``python -m benchmarks.race.race``, a few minutes on
2 cores); it prints each part and writes ``benchmarks/race/results.json``.

- **epoch** (one process, rounds interleaved): one warm-started epoch of the
  MNIST-shaped task (784-256-128-10, Adam at 0.001, batches of 128, L2 1e-4, float32)
  per call, each row as :mod:`benchmarks.harness.curves` trains it, plus the same epoch
  by hand in NumPy (:func:`benchmarks.harness.fits._hand_adam_epoch`); compiled JAX with
  and without the scan (``XPNET_SCAN``, read when a fit starts). The first epoch of each
  row (compilation included) is the warm-up; then ``--rounds`` rounds.
- **tta**: test accuracy after each epoch, off the clock, each row in a new process:
  the PyTorch loop, compiled JAX with an empty compile cache (cold), then again with
  the cache that run filled (warm).
- **planar**: the course's planar fit, ``TwoLayerNet(**PLANAR).fit`` (10,000 full-batch
  steps), a new estimator each call, against the course's loop by hand in NumPy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TASK, DTYPE = "mnist-shaped", "float32"


def matmul_rates(n: int = 1024, repeats: int = 5) -> dict[str, float]:
    """GFLOP/s of an n×n float32 matrix product, the best of ``repeats``: NumPy and PyTorch,
    over wall time and over the process's CPU time."""
    import torch

    a = np.random.RandomState(0).rand(n, n).astype(np.float32)
    rates = {}
    for name, x in (("numpy", a), ("torch", torch.asarray(a))):
        best = best_cpu = float("inf")
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            x @ x
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
            best = min(best, time.perf_counter() - start)
        rates[name] = 2 * n**3 / best / 1e9
        rates[f"{name} (CPU time)"] = 2 * n**3 / max(best_cpu, 1e-9) / 1e9
    return rates


def _hand_epoch(data: Any) -> Any:
    """One more epoch by hand in NumPy per call, warm-started, from xpnet's start."""
    import xpnet
    from benchmarks.harness.curves import RECIPE, TASKS
    from benchmarks.harness.fits import _hand_adam_epoch

    X_train, y_train, _, _ = data
    hidden = TASKS[TASK][1]
    settings = {**RECIPE, "learning_rate": 1e-300, "num_iterations": 1, "tol": None}
    with xpnet.use_backend("numpy", dtype=DTYPE):  # xpnet's start: one step of rate ~0
        fitted = xpnet.DeepNet(hidden, **settings, random_state=0).fit(X_train, y_train)
    p = {k: xpnet.to_numpy(v).copy() for k, v in fitted.parameters_.items()}
    classes = np.unique(y_train)
    Y = (classes[:, None] == y_train[None, :]).astype(DTYPE)
    X = np.ascontiguousarray(X_train.T)
    zeros = {k: 0 * v for k, v in p.items()}
    state: dict[str, Any] = {"t": 0, "v": dict(zeros), "s": dict(zeros), "cost": 0.0, "p": p}
    epochs = [0]

    def epoch() -> None:
        state["p"] = _hand_adam_epoch(X, Y, state["p"], state, 0, epochs[0])
        float(state["cost"])
        epochs[0] += 1

    return epoch


def _rounds(rows: dict[str, Any], rounds: int) -> tuple[dict, dict]:
    """Each row once a round, in alternating order: wall seconds and the process's CPU
    seconds (all its threads), each row's list over the rounds."""
    seconds: dict[str, list[float]] = {name: [] for name in rows}
    cpu: dict[str, list[float]] = {name: [] for name in rows}
    for r in range(rounds):
        for name, fn in rows.items() if r % 2 == 0 else reversed(rows.items()):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - start_cpu)
            seconds[name].append(time.perf_counter() - start)
        line = ", ".join(f"{k} {seconds[k][-1]:.2f} ({cpu[k][-1]:.2f})" for k in rows)
        print(f"round {r + 1}: {line}", file=sys.stderr, flush=True)
    return seconds, cpu


def _on_own_backend(name: str, epoch: Any, scan: str) -> Any:
    """An xpnet row's epoch under its own backend: the rows share a process, and a fit
    of host data trains on the backend set when it starts."""
    import xpnet
    from xpnet.bench.rows import parse

    row = parse(name)

    def run() -> None:
        os.environ["XPNET_SCAN"] = scan  # read when the fit starts
        with xpnet.use_backend(row.backend, row.device, dtype=DTYPE):
            epoch()

    return run


def epoch_race(rounds: int) -> dict[str, Any]:
    from benchmarks.harness.curves import TASKS, load, make
    from xpnet.bench.rows import KERAS

    loader, hidden, _ = TASKS[TASK]
    data = load(loader, DTYPE)
    rows: dict[str, Any] = {"numpy (by hand)": _hand_epoch(data)}
    for name in ("torch autograd", "scikit-learn"):
        rows[name] = make(name, hidden, data, DTYPE)[0]
    for label, name, scan in (
        ("xpnet[numpy]", "xpnet[numpy]", "auto"),
        ("xpnet[torch]", "xpnet[torch]", "auto"),
        ("xpnet[jax, compiled]", "xpnet[jax, compiled]", "auto"),
        ("xpnet[jax, compiled, scan]", "xpnet[jax, compiled]", "1"),
    ):
        rows[label] = _on_own_backend(name, make(name, hidden, data, DTYPE)[0], scan)
    try:
        rows[KERAS] = make(KERAS, hidden, data, DTYPE)[0]
    except Exception as exc:  # Keras missing: say so
        print(f"{KERAS}: not run ({type(exc).__name__}: {exc})", file=sys.stderr)
    rates = [matmul_rates()]
    first = {}
    for name, fn in rows.items():  # the warm-up: the first epoch, compilation included
        start = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - start
    seconds, cpu = _rounds(rows, rounds)
    rates.append(matmul_rates())
    return {"first": first, "seconds": seconds, "cpu_seconds": cpu, "matmul_gflops": rates}


def tta(implementation: str, epochs: int) -> dict[str, Any]:
    """Test accuracy after each epoch, off the clock: [(wall s, CPU s, accuracy), ...]
    so far; the first epoch includes any compilation, or its load from the cache."""
    from benchmarks.harness.curves import TASKS, load, make

    loader, hidden, _ = TASKS[TASK]
    epoch, score = make(implementation, hidden, load(loader, DTYPE), DTYPE)
    wall = cpu = 0.0
    curve = []
    for _ in range(epochs):
        start, start_cpu = time.perf_counter(), time.process_time()
        epoch()
        cpu += time.process_time() - start_cpu
        wall += time.perf_counter() - start
        curve.append((wall, cpu, score()))
    return {"implementation": implementation, "curve": curve}


def planar(rounds: int) -> dict[str, Any]:
    import xpnet
    from benchmarks.harness.fits import _hand_planar
    from xpnet.datasets import make_planar

    X, y = make_planar()
    X = X.astype(DTYPE)
    recipe: dict[str, Any] = {**xpnet.recipes.PLANAR, "progress": False}
    Xt, Y = np.ascontiguousarray(X.T), y.reshape(1, -1).astype(DTYPE)

    def fit(backend: str, compiled: bool, scan: str) -> Any:
        def run() -> None:
            os.environ["XPNET_SCAN"] = scan
            with xpnet.use_backend(backend, dtype=DTYPE):
                xpnet.TwoLayerNet(**recipe, jit_compile=compiled).fit(X, y)

        return run

    rows = {
        "numpy (by hand)": lambda: _hand_planar(Xt, Y, 10_000),
        "xpnet[numpy]": fit("numpy", False, "1"),
        "xpnet[jax, compiled]": fit("jax", True, "auto"),
        "xpnet[jax, compiled], steps": fit("jax", True, "0"),
    }
    rates = [matmul_rates()]
    first = {}
    for name, fn in rows.items():
        start = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - start
    seconds, cpu = _rounds(rows, rounds)
    rates.append(matmul_rates())
    return {"first": first, "seconds": seconds, "cpu_seconds": cpu, "matmul_gflops": rates}


#: One thread for every library (``--threads``): on a shared, oversubscribed machine,
#: two-thread BLAS and OpenMP pools wait on each other and the rows' times scatter.
THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _one_core() -> None:
    """The child on one core (the first it may use): XLA's runtime runs independent
    operations of a program side by side on the cores it sees, whatever its flags say."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _child(part: str, env: dict[str, str], threads: int, *args: str) -> dict[str, Any]:
    environment = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "0", **env}
    environment["KERAS_HOME"] = os.path.join(tempfile.gettempdir(), "xpnet-bench-keras")
    if threads:
        environment |= dict.fromkeys(THREADS, str(threads))
        if threads == 1:
            flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
            environment["XLA_FLAGS"] = flags
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.race.race", part, *args],
        stdout=subprocess.PIPE, text=True, env=environment, cwd=ROOT, check=False,
        preexec_fn=_one_core if threads == 1 and hasattr(os, "sched_setaffinity") else None,
    )  # fmt: skip
    if done.returncode != 0:
        return {"error": f"exit status {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "part", nargs="?", default="all", choices=["all", "epoch", "tta", "planar", "tables"]
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--row", default="torch autograd")
    parser.add_argument("--parts", default="epoch,tta,planar")
    parser.add_argument("--threads", type=int, default=1, help="0: the libraries' own")
    args = parser.parse_args()
    if args.part == "epoch":
        print(json.dumps(epoch_race(args.rounds)))
    elif args.part == "tta":
        print(json.dumps(tta(args.row, args.epochs)))
    elif args.part == "planar":
        print(json.dumps(planar(args.rounds)))
    elif args.part == "tables":
        print(markdown(json.loads((HERE / "results.json").read_text())))
    else:
        path = HERE / "results.json"
        results = json.loads(path.read_text()) if path.exists() else {}
        parts = args.parts.split(",")
        if "epoch" in parts:
            results["epoch"] = _child("epoch", {}, args.threads, "--rounds", str(args.rounds))
        if "tta" in parts:
            cache = tempfile.mkdtemp(prefix="xpnet-race-cache-")
            runs = []
            for label, row, env in (
                ("torch autograd", "torch autograd", {}),
                ("xpnet[jax, compiled] cold", "xpnet[jax, compiled]", {"XPNET_CACHE_DIR": cache}),
                ("xpnet[jax, compiled] warm", "xpnet[jax, compiled]", {"XPNET_CACHE_DIR": cache}),
                ("torch autograd", "torch autograd", {}),
                ("xpnet[jax, compiled] warm", "xpnet[jax, compiled]", {"XPNET_CACHE_DIR": cache}),
                (
                    "xpnet[jax, compiled, scan] warm",
                    "xpnet[jax, compiled]",
                    {"XPNET_CACHE_DIR": cache, "XPNET_SCAN": "1"},
                ),
            ):
                out = _child("tta", env, args.threads, "--row", row, "--epochs", str(args.epochs))
                runs.append({"label": label, **out})
                curve = [
                    (round(s, 2), round(c, 2), round(a, 4)) for s, c, a in out.get("curve", [])
                ]
                print(label, curve, out.get("error", ""), flush=True)
            results["tta"] = runs
        results["threads"] = args.threads
        if "planar" in parts:
            results["planar"] = _child("planar", {}, args.threads, "--rounds", str(args.rounds))
        path.write_text(json.dumps(results, indent=1) + "\n")
        summarise(results)


#: (row, reference, bound): the targets the epoch and planar parts read.
EPOCH_TARGETS = (
    ("xpnet[torch]", "torch autograd", 1.15),
    ("xpnet[numpy]", "numpy (by hand)", 1.15),
    ("xpnet[jax, compiled]", "keras (jax)", 1.0),
    ("xpnet[jax, compiled, scan]", "keras (jax)", 1.0),
    ("xpnet[jax, compiled, scan]", "xpnet[jax, compiled]", 1.0),
)
PLANAR_TARGETS = (
    ("xpnet[jax, compiled]", "numpy (by hand)", 1.2),
    ("xpnet[jax, compiled], steps", "numpy (by hand)", 1.2),
    ("xpnet[numpy]", "numpy (by hand)", 1.2),
)


def _reach(curve: list, threshold: float, column: int) -> float | None:
    return next((point[column] for point in curve if point[-1] >= threshold), None)


def markdown(results: dict[str, Any]) -> str:
    """The tables of RESULTS.md: medians over the rounds, CPU seconds first."""
    out = []
    for part, targets in (("epoch", EPOCH_TARGETS), ("planar", PLANAR_TARGETS)):
        r = results.get(part)
        if not r or "cpu_seconds" not in r:
            continue
        cpu = {k: statistics.median(v) for k, v in r["cpu_seconds"].items()}
        wall = {k: statistics.median(v) for k, v in r["seconds"].items()}
        rounds = len(next(iter(r["cpu_seconds"].values())))
        out += [f"### {part}: medians of {rounds} interleaved rounds", ""]
        out += ["| row | CPU s | wall s | first call, wall s |", "|---|---|---|---|"]
        out += [f"| {k} | {cpu[k]:.3f} | {wall[k]:.3f} | {r['first'][k]:.2f} |" for k in cpu]
        out += ["", "| target | CPU-time ratio (per round) | wall ratio | verdict |"]
        out += ["|---|---|---|---|"]
        for row, ref, bound in targets:
            if row in cpu and ref in cpu:
                ratio = cpu[row] / cpu[ref]
                each = ", ".join(
                    f"{a / b:.2f}"
                    for a, b in zip(r["cpu_seconds"][row], r["cpu_seconds"][ref], strict=True)
                )
                verdict = "met" if ratio <= bound else "**not met**"
                out.append(
                    f"| {row} ÷ {ref} ≤ {bound} | {ratio:.2f} ({each}) | "
                    f"{wall[row] / wall[ref]:.2f} | {verdict} |"
                )
        gflops = " → ".join(
            ", ".join(f"{k} {v:.0f}" for k, v in rates.items()) for rates in r["matmul_gflops"]
        )
        out += ["", f"Matrix products (1024², float32, GFLOP/s, start → end): {gflops}", ""]
    if results.get("tta"):
        out += [
            "### time to accuracy: seconds of training (wall / CPU), each run a new process",
            "",
        ]
        out += [
            "| run | first epoch | to 70% | to 75% | best of 6 epochs |",
            "|---|---|---|---|---|",
        ]
        for run in results["tta"]:
            c = run.get("curve")
            if not c:
                out.append(f"| {run['label']} | failed: {run.get('error')} | | | |")
                continue

            def both(threshold: float, c: list = c) -> str:
                w, p = _reach(c, threshold, 0), _reach(c, threshold, 1)
                return "never" if w is None else f"{w:.2f} / {p:.2f}"

            best = max(point[-1] for point in c)
            out.append(
                f"| {run['label']} | {c[0][0]:.2f} / {c[0][1]:.2f} | {both(0.70)} | "
                f"{both(0.75)} | {100 * best:.2f}% |"
            )
        out.append("")
    return "\n".join(out)


def summarise(results: dict[str, Any]) -> None:
    """The tables, printed."""
    print(markdown(results))


if __name__ == "__main__":
    main()
