"""Where the steps on Dask blocks run: the blocks a worker holds, and the threads.

- :func:`held`: blocks in a distributed cluster's memory (``client.persist``), gathered
  as one future per worker (:class:`Blocks`), so that a step is one task per worker
  whatever the number of blocks;
- :class:`ReadAhead`: blocks read lazily (from Zarr, say), read in the background while
  the step before theirs computes;
- :func:`one_blas_thread_a_task`: on Dask's local thread pool, one BLAS thread a task;
- :func:`training_workers`: glibc's allocator thresholds for the workers that train,
  set in their environment when they start; :func:`prepare_workers` sets the same
  thresholds in running workers (glibc's ``mallopt``, through a worker plugin), which
  xpnet does whenever it trains on a cluster.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import dataclasses
import functools
import platform
from typing import Any

__all__ = [
    "WORKER_ENVIRON",
    "Blocks",
    "Held",
    "ReadAhead",
    "allocator_settings",
    "apply_allocator_settings",
    "held",
    "one_blas_thread_a_task",
    "prepare_workers",
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


#: glibc's mallopt parameters for the variables: M_TRIM_THRESHOLD, M_MMAP_THRESHOLD.
_MALLOPT = {"MALLOC_TRIM_THRESHOLD_": -1, "MALLOC_MMAP_THRESHOLD_": -3}
_applied: dict[str, int] = {}


def apply_allocator_settings() -> dict[str, int]:
    """Set :data:`WORKER_ENVIRON`'s thresholds in this running process through glibc's
    ``mallopt``, as the variables would have set them at its start; the thresholds
    set (:func:`allocator_settings`), empty where the C library is not glibc."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return {}
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return {}
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    for name, value in WORKER_ENVIRON.items():
        if mallopt(_MALLOPT[name], int(value)) == 1:  # 1 on success
            _applied[name] = int(value)
    return allocator_settings()


def allocator_settings() -> dict[str, int]:
    """The thresholds :func:`apply_allocator_settings` has set in this process."""
    return dict(_applied)


@functools.cache
def _plugin_type() -> type:
    from distributed.diagnostics.plugin import WorkerPlugin

    class TrainingAllocator(WorkerPlugin):
        """Sets the training allocator's thresholds in each worker, and in workers that
        join later."""

        name = "xpnet-training-allocator"
        idempotent = True  # registered once a cluster, however many fits

        def setup(self, worker: Any) -> None:
            apply_allocator_settings()

    return TrainingAllocator


def prepare_workers(client: Any) -> None:
    """Set the training allocator's thresholds in a distributed cluster's workers, now
    and in those that join it later (a worker plugin, registered once per cluster): a
    worker's temporaries then stay in its heap from one step to the next, as in workers
    started by :func:`training_workers`."""
    client.register_plugin(_plugin_type()())


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
    moved: list[Any] = dataclasses.field(default_factory=list)  # copies made to balance


def _futures(client: Any, a: Any) -> list[Any] | None:
    """The future of each block of ``a``, if the cluster holds them all; None otherwise."""
    futures = {f.key: f for f in client.futures_of(a)}
    keys = [key for key in _dask().core.flatten(a.__dask_keys__())]
    return [futures[k] for k in keys] if all(k in futures for k in keys) else None


def _own_memory(keys: dict[str, list], dask_worker: Any) -> int:
    """On a worker, in its event loop: each of its blocks of ``keys[address]`` held at an
    address misaligned for its dtype (a view into the message that brought it, as the
    blocks of ``da.from_array(X).persist()`` are, and on which BLAS is slow) replaced by
    a copy of its own; the number of blocks copied."""
    data = dask_worker.data
    fast = getattr(data, "fast", data)  # the blocks in memory, not those spilled to disk
    copied = 0
    for key in keys.get(dask_worker.address, []):
        block = fast.get(key)
        if getattr(getattr(block, "flags", None), "aligned", True):
            continue
        data[key] = block.copy()
        copied += 1
    return copied


def _balanced(workers: list[str], rows: tuple, everyone: list[str]) -> list[str]:
    """Where each block should lie so that no worker has more rows than it must: blocks
    moved one at a time, each from the worker with the most rows to the one with the
    fewest, while that lowers the larger of the two (a step lasts as long as its busiest
    worker)."""
    workers = list(workers)
    load = dict.fromkeys(everyone, 0)
    for w, r in zip(workers, rows, strict=True):
        load[w] = load.get(w, 0) + r
    while True:
        most, least = max(load, key=load.__getitem__), min(load, key=load.__getitem__)
        fits = [
            b for b, w in enumerate(workers) if w == most and load[least] + rows[b] < load[most]
        ]
        if not fits:
            return workers
        b = min(fits, key=lambda b: max(load[most] - rows[b], load[least] + rows[b]))
        workers[b] = least
        load[most], load[least] = load[most] - rows[b], load[least] + rows[b]


def _own_copy(block: Any) -> Any:
    return block.copy()


def held(X: Any, targets: Any, weights: Any) -> Held | None:
    """X's blocks in a distributed cluster's memory (``client.persist(X)``), with the
    targets and weights persisted beside them (a small, one-time transfer); None where
    X's blocks are read by the steps themselves.

    On a distributed cluster the workers get the training allocator's thresholds
    (:func:`prepare_workers`). Once, before the steps: where some workers hold more of
    X's rows than others, blocks are copied to the workers with fewer (the copies live
    as long as the :class:`Held`), and held blocks misaligned for their dtype are
    copied where they lie (their values unchanged)."""
    client = getattr(_dask().base.get_scheduler(collections=[X]), "__self__", None)
    if client is None or not hasattr(client, "futures_of"):
        return None
    prepare_workers(client)
    blocks = _futures(client, X)
    if blocks is None:
        return None
    from distributed import wait

    target_blocks = _futures(client, targets) or _futures(client, client.persist(targets)) or []
    weight_blocks = None if weights is None else _futures(client, client.persist(weights)) or []
    wait(blocks)
    holding = client.who_has(blocks)
    lying = [sorted(holding[f.key])[0] for f in blocks]
    workers = _balanced(lying, X.chunks[0], list(client.nthreads()))
    blocks = list(blocks)
    moved = []
    for b, (was, worker) in enumerate(zip(lying, workers, strict=True)):
        if worker != was:  # a copy of its own where it goes
            blocks[b] = client.submit(
                _own_copy, blocks[b], workers=[worker], allow_other_workers=False, pure=False
            )
            moved.append(blocks[b])
    wait(moved)
    mine: dict[str, list[int]] = {}
    for b, worker in enumerate(workers):
        mine.setdefault(worker, []).append(b)
    client.run(_own_memory, {w: [blocks[b].key for b in numbers] for w, numbers in mine.items()})
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
    return Held(client, holders, workers, positions, moved)


@functools.cache
def _reader() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="xpnet-read-ahead")


def _read(parts: tuple) -> tuple:
    """Parts of a block (delayed reads, or None) read here, one after the other, out of
    sight of Dask's callbacks (which a compute in another thread would take from the
    step's own compute)."""
    present = [p for p in parts if p is not None]
    read = iter(_dask().compute(*present, scheduler="sync", callbacks=()))
    return tuple(None if p is None else next(read) for p in parts)


class ReadAhead:
    """Blocks read in the background, one batch ahead of the steps.

    A block is its parts as the steps' graphs read them (X's delayed read, the
    targets', the weights' or None). :meth:`start` begins reading the next batch's
    blocks while the current step computes: on a distributed cluster as futures
    (``client.compute``), which the next step's graph takes as its inputs; on Dask's
    local schedulers in a thread of its own. :meth:`take` hands a step its block: read
    ahead if it was, else its delayed reads. At most one batch's blocks are held ahead.
    """

    def __init__(self) -> None:
        self.reading: dict[int, Any] = {}

    def start(self, blocks: dict[int, tuple], on: Any) -> None:
        """Read ``blocks`` (number → parts) in the background, those of ``on`` (a
        collection of the step, whose scheduler reads them) on its cluster; the reads
        begun for other blocks are dropped."""
        self.reading = {b: self.reading.get(b) or self._submit(p, on) for b, p in blocks.items()}

    def take(self, b: int, parts: tuple) -> tuple:
        """Block ``b``'s parts for a step's graph: arrays or futures if read ahead."""
        reading = self.reading.pop(b, None)
        if reading is None:
            return parts
        return reading.result() if isinstance(reading, concurrent.futures.Future) else reading

    @staticmethod
    def _submit(parts: tuple, on: Any) -> Any:
        client = getattr(_dask().base.get_scheduler(collections=[on]), "__self__", None)
        if client is None or not hasattr(client, "futures_of"):
            return _reader().submit(_read, parts)
        futures = iter(client.compute([p for p in parts if p is not None]))
        return tuple(None if p is None else next(futures) for p in parts)
