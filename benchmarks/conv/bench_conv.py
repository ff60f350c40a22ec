"""One convolution layer, forward plus backward, float32: xpnet against PyTorch's Conv2d.

Rows: xpnet[numpy], xpnet[torch], xpnet[jax, compiled] (``jax.jit`` of the layer's
forward and backward) and PyTorch's own ``nn.Conv2d`` (eager, autograd, NCHW, its
native layout), on the same CPU, with the gradient of the input computed by all. One
more row times xpnet[numpy] with the backward scatter (col2im) done by in-place adds
into strided slices, which is what array-api-extra's ``at(x, idx).add(v)`` does on
NumPy, against the engine's sums of shifted slices.

Each round times every row once, in turn (interleaved), after a warm-up; the medians
over the rounds give the ratios to Conv2d. Run: ``python benchmarks/conv/bench_conv.py``
(``--rounds N``); it writes RESULTS.md and results.json beside itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # this checkout's xpnet

from xpnet.bench.layers import CONV, ConvCase, conv_torch, conv_xpnet  # noqa: E402
from xpnet.bench.layers import TARGETS as LAYER_TARGETS  # noqa: E402
from xpnet.layers import conv  # noqa: E402

CASES = [(case.name, case.shape, case.n_C, case.f) for case in CONV]
TARGETS = LAYER_TARGETS["conv"]
NOTES = [
    "- The machine is shared with other jobs while this runs: compare the matrix-product "
    "rate above with an idle machine's (about 200 GFLOP/s in float32 on these 2-core "
    "hosts) before reading the absolute times; the ratios come from one process, in "
    "interleaved rounds, and are the figures to read.",
    "- `col2im in place` is the backward scatter of the patch-matrix path written as "
    "in-place adds into strided slices, what array-api-extra's `at(x, idx).add(v)` does on "
    "NumPy. The layer keeps the sums of shifted slices because array-api-extra's helpers "
    "break `torch.compile(fullgraph=True)` and an in-place add has no JAX form without a "
    "per-backend branch. The large-filter case takes the split window "
    "(`xpnet.layers.conv_split`: stride 1 and n_C < (f − 1)·n_C_prev), which folds f pieces "
    "along the height and calls no col2im, so there this row runs the same code as "
    "xpnet[numpy].",
    "- PyTorch's `Conv2d` runs a dedicated CPU kernel (oneDNN) that gathers nothing; xpnet "
    "gathers shifted copies of its input (f·n_C_prev rows, and f·n_C of dZ, in the split "
    "window; f²·n_C_prev in the patch matrix) and multiplies matrices with few rows, which "
    "reach only part of the BLAS rate. In the large-filter case the three matrix products "
    "alone take most of the time Conv2d takes for the whole pass; the gathers, the "
    "column sums and the fold add memory passes on top.",
]


def matmul_gflops(n: int = 2048, repeats: int = 5) -> dict[str, float]:
    """The float32 matrix-product rate of NumPy and of PyTorch on this machine."""
    import torch

    rates = {}
    A = np.random.RandomState(0).randn(n, n).astype(np.float32)
    for name, X, mm in [("numpy", A, np.matmul), ("torch", torch.from_numpy(A), torch.matmul)]:
        mm(X, X)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            mm(X, X)
            times.append(time.perf_counter() - t)
        rates[name] = 2 * n**3 / min(times) / 1e9
    return rates


def in_place_fold(stacked, shape, f, stride, /, *, xp):
    """col2im by in-place adds into strided slices (array-api-extra's ``at().add`` on NumPy)."""
    out = np.zeros(shape, dtype=stacked.dtype)
    n_H, n_W = stacked.shape[-2], stacked.shape[-1]
    for i in range(f):
        for j in range(f):
            rows = slice(i, i + stride * (n_H - 1) + 1, stride)
            cols = slice(j, j + stride * (n_W - 1) + 1, stride)
            out[..., rows, cols] += stacked[i, j]
    return out


def xpnet_row(backend_name: str, shape, n_C: int, f: int, *, compiled: bool = False):
    """A callable running one forward and backward pass of Conv2D on ``backend_name``
    (the builder of ``xpnet bench``'s conv section)."""
    _, step, sync, _ = conv_xpnet(ConvCase("", shape, n_C, f), backend_name, compiled)
    return lambda: sync(step(None))


def torch_row(shape, n_C: int, f: int):
    """PyTorch's Conv2d from the same weights (the peer of ``xpnet bench``'s conv section)."""
    _, step, sync, _ = conv_torch(ConvCase("", shape, n_C, f))
    return lambda: sync(step(None))


def measure(rounds: int) -> dict:
    results = {}
    for name, shape, n_C, f in CASES:
        rows = {
            "xpnet[numpy]": xpnet_row("numpy", shape, n_C, f),
            "xpnet[numpy], col2im in place": None,
            "xpnet[torch]": xpnet_row("torch", shape, n_C, f),
            "xpnet[jax, compiled]": xpnet_row("jax", shape, n_C, f, compiled=True),
            "torch Conv2d": torch_row(shape, n_C, f),
        }
        numpy_run = rows["xpnet[numpy]"]

        def in_place_run(numpy_run=numpy_run):
            saved, conv.fold = conv.fold, in_place_fold
            try:
                numpy_run()
            finally:
                conv.fold = saved

        rows["xpnet[numpy], col2im in place"] = in_place_run
        for run in rows.values():  # warm-up (and JAX's compilation)
            run()
        times: dict[str, list[float]] = {k: [] for k in rows}
        for _ in range(rounds):
            for key, run in rows.items():
                t = time.perf_counter()
                run()
                times[key].append(time.perf_counter() - t)
        medians = {k: statistics.median(v) for k, v in times.items()}
        base = medians["torch Conv2d"]
        results[name] = {
            "shape": list(shape),
            "filters": n_C,
            "f": f,
            "median_ms": {k: 1e3 * v for k, v in medians.items()},
            "ratio_to_conv2d": {k: v / base for k, v in medians.items()},
        }
    return results


def verdicts(results: dict) -> dict:
    out = {}
    for name, r in results.items():
        for row, bound in TARGETS.items():
            ratio = r["ratio_to_conv2d"][row]
            out[f"{name}: {row} ≤ {bound:g}× Conv2d"] = {"ratio": ratio, "met": ratio <= bound}
    return out


def markdown(report: dict) -> str:
    lines = [
        "# One convolution layer, forward plus backward (float32)",
        "",
        f"Run on {report['date']}: {report['machine']}, {report['cpus']} CPUs, "
        f"Python {report['python']}; numpy {report['numpy']}, torch {report['torch']}, "
        f"jax {report['jax']}. The machine is shared with other jobs: the times are noisy, "
        "the ratios (interleaved rounds in one process, medians) less so.",
        "",
        "Matrix-product rate on this machine (float32, 2048²): "
        + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in report["matmul_gflops"].items())
        + ".",
        "",
        'Stride 1, `"same"` padding; each pass computes Z, dW, db and dA_prev. `ratio` is '
        "the median time over PyTorch's `nn.Conv2d` (eager, autograd, NCHW) on the same "
        f"CPU; {report['rounds']} rounds.",
        "",
        "| case | row | median ms | ratio to Conv2d |",
        "|---|---|---|---|",
    ]
    for name, r in report["results"].items():
        for row, ms in r["median_ms"].items():
            lines.append(f"| {name} | {row} | {ms:.1f} | {r['ratio_to_conv2d'][row]:.2f} |")
    lines += ["", "## Targets", ""]
    for target, v in report["verdicts"].items():
        lines.append(f"- {target}: {v['ratio']:.2f}× — {'met' if v['met'] else 'not met'}")
    lines += ["", "## Notes", "", *NOTES, ""]
    return "\n".join(lines)


def kept(path: Path) -> str:
    """The sections of ``path`` from ``## xpnet bench`` on, which this script does not write."""
    text = path.read_text() if path.is_file() else ""
    at = text.find("\n## xpnet bench")
    return "" if at < 0 else text[at:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--markdown-only", action="store_true", help="rewrite RESULTS.md")
    args = parser.parse_args()
    if args.markdown_only:
        report = json.loads((HERE / "results.json").read_text())
        (HERE / "RESULTS.md").write_text(markdown(report) + kept(HERE / "RESULTS.md"))
        return
    import jax
    import torch

    results = measure(args.rounds)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "jax": jax.__version__,
        "rounds": args.rounds,
        "matmul_gflops": matmul_gflops(),
        "results": results,
    }
    report["verdicts"] = verdicts(results)
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (HERE / "RESULTS.md").write_text(markdown(report) + kept(HERE / "RESULTS.md"))
    print(markdown(report))


if __name__ == "__main__":
    main()
