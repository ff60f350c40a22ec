"""Where the steps on Dask blocks run: the blocks a worker holds, and the threads.

- :func:`held`: blocks in a distributed cluster's memory (``client.persist``), gathered
  as one future per worker (:class:`Blocks`), so that a step is one task per worker
  whatever the number of blocks;
- :func:`one_blas_thread_a_task`: on Dask's local thread pool, one BLAS thread a task;
- :func:`training_workers`: glibc's allocator thresholds for the workers that train.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from typing import Any

__all__ = [
    "WORKER_ENVIRON",
    "Blocks",
    "Held",
    "held",
    "one_blas_thread_a_task",
    "training_workers",
]


def _dask() -> Any:
    import dask
    import dask.array

    return dask


#: glibc's allocator thresholds for Dask workers that train. Dask's own setting
#: (MALLOC_TRIM_THRESHOLD_=65536, which also fixes the mmap threshold at 128 KiB) hands
#: each step's temporaries back to the OS, and the next step faults them in again;
#: these keep them in the worker's heap from one step to the next.
WORKER_ENVIRON = {"MALLOC_TRIM_THRESHOLD_": "67108864", "MALLOC_MMAP_THRESHOLD_": "33554432"}


def training_workers() -> Any:
    """``dask.config.set`` of :data:`WORKER_ENVIRON` for the workers (nannies) started
    inside it: ``with training_workers(): cluster = LocalCluster(...)``. For workers
    started elsewhere, set the two variables in their environment."""
    return _dask().config.set(
        {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in WORKER_ENVIRON.items()}
    )


class Blocks:
    """A worker's blocks, (X, targets, weights) each, held by reference: one key in the
    graph of a step, whatever their number (the cluster counts their memory under the
    blocks' own keys, so this holder reports its own size only)."""

    def __init__(self, blocks: list[tuple]) -> None:
        self.blocks = blocks

    def __sizeof__(self) -> int:
        return 64 + 8 * len(self.blocks)


@functools.cache
def _blas() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def one_blas_thread_a_task(dask: Any, parts: list[Any]) -> Any:
    """On Dask's local thread pool, one BLAS thread per task: the pool's threads are the
    parallelism, and BLAS threads on top of them oversubscribe the cores (OpenBLAS's
    threads spin while they wait). Needs threadpoolctl."""
    threads = dask.config.get("num_workers", None) or dask.threaded.CPU_COUNT
    local = dask.base.get_scheduler(collections=parts) is dask.threaded.get
    if not local or threads < 2 or _blas() is None:
        return contextlib.nullcontext()
    return _blas().limit(limits=1, user_api="blas")


@dataclasses.dataclass
class Held:
    """Blocks held in a distributed cluster's memory: for each worker, a future of its
    blocks (:class:`Blocks`); for each block of X, its worker and its place there."""

    client: Any
    holders: dict[str, Any]
    workers: list[str]
    positions: list[int]


def _futures(client: Any, a: Any) -> list[Any] | None:
    """The future of each block of ``a``, if the cluster holds them all; None otherwise."""
    futures = {f.key: f for f in client.futures_of(a)}
    keys = [key for key in _dask().core.flatten(a.__dask_keys__())]
    return [futures[k] for k in keys] if all(k in futures for k in keys) else None


def held(X: Any, targets: Any, weights: Any) -> Held | None:
    """X's blocks in a distributed cluster's memory (``client.persist(X)``), with the
    targets and weights persisted beside them (a small, one-time transfer); None where
    X's blocks are read by the steps themselves."""
    client = getattr(_dask().base.get_scheduler(collections=[X]), "__self__", None)
    if client is None or not hasattr(client, "futures_of"):
        return None
    blocks = _futures(client, X)
    if blocks is None:
        return None
    from distributed import wait

    target_blocks = _futures(client, targets) or _futures(client, client.persist(targets)) or []
    weight_blocks = None if weights is None else _futures(client, client.persist(weights)) or []
    wait(blocks)
    holding = client.who_has(blocks)
    workers = [sorted(holding[f.key])[0] for f in blocks]
    mine: dict[str, list[int]] = {}
    for b, worker in enumerate(workers):
        mine.setdefault(worker, []).append(b)
    holders = {
        worker: client.submit(
            Blocks,
            [
                (blocks[b], target_blocks[b], None if weight_blocks is None else weight_blocks[b])
                for b in numbers
            ],
            workers=[worker],
            allow_other_workers=False,
            pure=False,
        )
        for worker, numbers in mine.items()
    }
    positions = [mine[w].index(b) for b, w in enumerate(workers)]
    return Held(client, holders, workers, positions)
