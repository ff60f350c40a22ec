"""Training on data larger than the memory its workers may use: Zarr on disk, Dask workers.

    python scripts/dask_out_of_core.py [--rows 2000000 --features 100 --memory-limit 400MB]

Writes a synthetic classification task to a Zarr store block by block (never whole in
memory: 2,000,000 × 100 float32 is 800 MB against workers allowed 400 MB each), starts a
LocalCluster, trains a DeepNet on the store with one block per mini-batch, and reports
the time per epoch, each worker's peak memory after each epoch (flat: a worker holds
the blocks it works on, not the data), and the accuracy on the rows held out. Then one
epoch each on 1 worker and on Dask's thread pool in this process, to show how the
epoch scales with workers (``--no-scaling`` leaves them out).
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import xpnet
from xpnet.cli_errors import positive_int, run
from xpnet.dask_workers import training_workers
from xpnet.datasets import load_zarr, save_zarr


def write_task(path: Path, rows: int, features: int, chunk_rows: int) -> None:
    """X ~ N(0, 1) and y = [X·w > 0], drawn and written one block at a time."""
    import dask.array as da

    rng = da.random.RandomState(0)
    X = rng.standard_normal((rows, features), chunks=(chunk_rows, features)).astype("float32")
    w = da.from_array(rng.standard_normal(features).compute().astype("float32"))
    y = (X @ w + 0.5 * rng.standard_normal(rows, chunks=chunk_rows) > 0).astype("int64")
    save_zarr(path, X, y)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(X, y, X_test, y_test, epochs, client=None):
    """Fit a DeepNet, one block a step; the seconds of each epoch, and each worker's
    peak memory after each epoch (with a client)."""
    seconds, peaks = [], []
    last = [time.perf_counter()]

    def per_epoch(event):
        seconds.append(time.perf_counter() - last[0])
        if client is not None:
            peaks.append(client.run(peak_memory_mb))
        print(f"  epoch {event.epoch}: cost {event.cost:.4f}, {seconds[-1]:.1f} s")
        last[0] = time.perf_counter()

    model = xpnet.DeepNet(
        (32,), num_iterations=epochs, batch_size="auto", tol=None, random_state=0
    )
    model.fit(X, y, callback=per_epoch)
    return seconds, peaks, model.score(X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=positive_int, default=2_000_000)
    parser.add_argument("--features", type=positive_int, default=100)
    parser.add_argument("--chunk-rows", type=positive_int, default=100_000)
    parser.add_argument("--workers", type=positive_int, default=2)
    parser.add_argument("--memory-limit", default="400MB", help="per worker")
    parser.add_argument("--epochs", type=positive_int, default=3)
    parser.add_argument(
        "--no-scaling", action="store_true", help="leave out the 1-worker and threaded epochs"
    )
    parser.add_argument(
        "--store", help="where to write the Zarr store (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SystemExit("this script needs Dask: pip install 'xpnet[dask]'") from None

    def cluster(workers):
        with training_workers():  # workers that keep their temporaries between steps
            local = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                memory_limit=args.memory_limit,
                dashboard_address=None,
            )
        return local, Client(local)

    with tempfile.TemporaryDirectory() as scratch:
        store = Path(args.store or Path(scratch) / "task.zarr")
        start = time.perf_counter()
        write_task(store, args.rows, args.features, args.chunk_rows)
        size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6
        print(
            f"wrote {args.rows:,} × {args.features} float32 ({size:,.0f} MB on disk, "
            f"{4 * args.rows * args.features / 1e6:,.0f} MB in memory) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        data = load_zarr(store, test_size=0.1)
        local, client = cluster(args.workers)
        with local, client:
            seconds, peaks, accuracy = train(*data, args.epochs, client)
        epoch = {f"{args.workers} workers": sum(seconds) / len(seconds)}
        if not args.no_scaling:
            local, client = cluster(1)
            with local, client:
                epoch["1 worker"] = train(*data, 1, client)[0][0]
            epoch["threads"] = train(*data, 1)[0][0]  # Dask's thread pool, in this process
        print(f"{data[0].numblocks[0]} blocks an epoch, one compute each")
        print("time per epoch: " + ", ".join(f"{k} {v:.1f} s" for k, v in epoch.items()))
        for worker in peaks[-1]:
            after = ", ".join(f"{p[worker]:,.0f}" for p in peaks)
            print(
                f"peak memory of worker {worker} after each epoch: {after} MB "
                f"(limit {args.memory_limit})"
            )
        print(f"held-out accuracy: {100 * accuracy:.2f}%")
    return {
        "seconds_per_epoch": seconds,
        "epoch_seconds": epoch,
        "peaks_mb": list(peaks[-1].values()),
        "peaks_by_epoch_mb": [list(p.values()) for p in peaks],
        "accuracy": accuracy,
    }


if __name__ == "__main__":  # an error is one line and exit status 2, as xpnet's own
    raise SystemExit(run(main, None, prog="dask_out_of_core.py"))
