"""The training step compiled: :func:`xpnet.step.train_step` under ``jax.jit`` or
``torch.compile(fullgraph=True)`` (:class:`CompiledStep`); NumPy, array-api-strict,
CuPy and Dask run it eagerly.

What changes from step to step enters as an array, never as a constant of the trace:
the learning rate and Adam's update count ``t`` are 0-d arrays (a decaying rate never
recompiles), and the dropout masks are drawn on the host before the step
(:meth:`Network.draw_masks <xpnet.network.Network.draw_masks>`) and passed in, so one
seed gives the same masks eagerly and compiled. A static configuration (the network,
the optimiser, with or without the loss) selects a compiled variant, and the clipping
thresholds are Python constants of it (:class:`CompiledStep`'s ``clip``); the library
itself keeps one program per batch shape (the last, shorter batch has its own).

On JAX, an unweighted mini-batch epoch of arrays in memory takes one dispatch a step
(:meth:`CompiledStep.indexed`): the program gathers its batch from the data by the
epoch's order, runs :func:`train_step` on it as on a batch gathered before, adds the
batch's loss to the epoch's total, and consumes (donates) the parameters and optimiser
state it is given, which the loop copies first wherever something else holds them.

Whether to compile is ``jit_compile``: True, False or ``"auto"``, which compiles on JAX
only (see :func:`compiler_for`); ``"auto"`` defers to the environment variable
``XPNET_COMPILE`` (``1``, ``0`` or ``auto``), read when a fit starts.
"""

from __future__ import annotations

import functools
import numbers
import os
import types
import warnings
from typing import Any

import array_api_compat

from ._checks import Options, check_param
from .compile_cache import enable_compile_cache
from .divergence import soundness
from .step import train_step

__all__ = [
    "COMPILERS",
    "GATHERING",
    "CompiledStep",
    "check_jit_compile",
    "compiled_step",
    "compiler_for",
]

Array = Any
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def check_jit_compile(value: Any, source: str = "jit_compile") -> bool | str:
    """``value`` as True, False or ``"auto"``, else the library's one refusal."""
    return check_param(source, value, [Options("auto", True, False)])


def _from_environment() -> bool | str:
    value = os.environ.get("XPNET_COMPILE", "").strip().lower()
    if value in ("", "auto"):
        return "auto"
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        "Invalid XPNET_COMPILE. Expected one of ['auto', '1', '0', 'true', 'false']. "
        f"Received: XPNET_COMPILE={os.environ['XPNET_COMPILE']!r}"
    )


def _library(xp: Any) -> str | None:
    if array_api_compat.is_jax_namespace(xp):
        return "jax"
    if array_api_compat.is_torch_namespace(xp):
        return "torch"
    return None


def compiler_for(jit_compile: Any, xp: Any, *, in_memory: bool = True) -> str | None:
    """The library that compiles the step (``"jax"`` or ``"torch"``), or None: eager.

    ``"auto"`` reads ``XPNET_COMPILE`` first; then it compiles on JAX, whose compile
    is short next to a fit, and not on PyTorch, whose ``torch.compile`` is long next
    to one (ask for it with True). True on a backend that cannot compile, or on Dask
    blocks, is an error that says so.

    Raises
    ------
    ValueError
        For an unknown setting, or True where nothing compiles.
    """
    setting = check_jit_compile(jit_compile)
    if setting == "auto":
        setting = _from_environment()
    library = _library(xp)
    if setting is False:
        return None
    if setting is True:
        if library is None or not in_memory:
            where = "Dask blocks" if library is not None else f"the {xp.__name__!r} namespace"
            raise ValueError(
                f"Invalid jit_compile=True for {where}: only the JAX and PyTorch backends "
                "compile a step, on arrays in memory. Expected jit_compile='auto' or False"
            )
        return library
    return library if library == "jax" and in_memory else None


def _counter_fields(state: dict[str, Any]) -> list[str]:
    """The optimiser state's plain numbers (Adam's ``t``): they enter a trace as arrays."""
    return [k for k, v in state.items() if isinstance(v, numbers.Number)]


class CompiledStep:
    """:func:`train_step` compiled by ``library``, one variant per value of ``with_loss``.

    Call it as :func:`train_step` without the network and optimiser. ``traces`` counts
    the traces made (one per variant and batch shape); :meth:`enter` and :meth:`leave`
    turn the optimiser state's counters into 0-d arrays and back. ``clip`` is
    :func:`train_step`'s, constant in the compiled program.
    """

    def __init__(
        self, network: Any, optimizer: Any, library: str, xp: Any, clip: tuple = (None, None)
    ) -> None:
        self.network, self.optimizer, self.library, self.xp = network, optimizer, library, xp
        self.clip = clip
        self.traces = 0
        self._variants: dict[bool, Any] = {}
        self._ran: set[tuple] = set()
        self._indexed: dict[tuple, Any] = {}  # (axis, rows) → the gathering variant
        self._copy: Any = None
        self._sound: dict[tuple, Any] = {}  # (axis, rows) → the check after a run
        self.indexes = library in GATHERING  # False once a gathering variant fails to compile

    def _traced(self, *args: Any, with_loss: bool) -> Any:
        self.traces += 1  # runs once per trace, never when the compiled program runs
        return train_step(
            self.network, self.optimizer, *args, with_loss=with_loss, xp=self.xp, clip=self.clip
        )

    def _variant(self, with_loss: bool) -> Any:
        if with_loss not in self._variants:
            enable_compile_cache(self.library)  # a later process loads what this one compiles
            self._variants[with_loss] = COMPILERS[self.library](self, with_loss)
        return self._variants[with_loss]

    def enter(self, state: dict[str, Any], like: Array) -> tuple[dict[str, Any], list[str]]:
        """The state with its counters (Adam's ``t``) as 0-d arrays of ``like``'s dtype
        and device, and the counters' names, for :meth:`leave`."""
        counters = _counter_fields(state)
        entered = {
            k: self.scalar(float(v), like) if k in counters else v for k, v in state.items()
        }
        return entered, counters

    def scalar(self, value: float, like: Array) -> Array:
        """``value`` as a 0-d array of ``like``'s dtype on its device, as a compiled step
        takes a number (α, Adam's ``t``, a running total): on JAX moved from the host
        as it is, with no program of its own to compile."""
        if self.library == "jax":
            import numpy as np  # edge: the number, made on the host

            return self.moved(np.asarray(value, dtype=np.dtype(like.dtype)), like)
        return self.xp.asarray(value, dtype=like.dtype, device=array_api_compat.device(like))

    def moved(self, host: Any, like: Array) -> Array:
        """A NumPy array on ``like``'s device, its dtype kept (the library's own where it
        narrows it): on JAX with no program of its own to compile."""
        if self.library == "jax":
            import jax

            return jax.device_put(host, array_api_compat.device(like))
        return self.xp.asarray(host, device=array_api_compat.device(like))

    @staticmethod
    def leave(state: dict[str, Any], counters: list[str]) -> dict[str, Any]:
        """The state with the named counters back as Python ints."""
        return {k: round(float(v)) if k in counters else v for k, v in state.items()}

    def __call__(
        self, *args: Any, with_loss: bool, strict: bool = False
    ) -> tuple[dict[str, Array], dict[str, Any], Array | None]:
        """:func:`train_step` on ``(parameters, optimizer_state, X, Y, weights, masks,
        rate)``, compiled on its first call for each shape of the batch."""
        X, weights = args[2], args[4]
        key = (with_loss, tuple(X.shape), weights is None)
        if key in self._ran:
            return self._variant(with_loss)(*args)
        try:
            out = self._variant(with_loss)(*args)
        except Exception as exc:  # the first run of a variant is its compilation
            if strict:
                raise RuntimeError(
                    f"Could not compile the training step with {_NAMES[self.library]}: "
                    f"{type(exc).__name__}: {exc}. Train eagerly with jit_compile=False "
                    "(or XPNET_COMPILE=0)"
                ) from exc
            _warn_once(self.library, exc)
            self._variants[with_loss] = functools.partial(self._eager, with_loss=with_loss)
            out = self._variants[with_loss](*args)
        self._ran.add(key)
        return out

    def indexed(
        self,
        parameters: dict[str, Array],
        optimizer_state: dict[str, Any],
        data: tuple[Array, Array, Array | None],
        order: Array | None,
        s: slice,
        total: Array,
        masks: tuple,
        rate: Any,
        *,
        axis: int,
        rows: bool,
    ) -> tuple[dict[str, Array], dict[str, Any], Array] | None:
        """:func:`train_step` on the batch that slice ``s`` of ``order`` cuts from
        ``data`` = (X, Y, weights), gathered inside the compiled program, and ``total``
        plus the batch's m · J; the batch is the one :meth:`InMemory.batch
        <xpnet.sources.InMemory.batch>` gathers, and so the step's result.

        ``order`` (m,) is the epoch's permutation on the device, or None: the data's
        own order. X holds the examples on ``axis``; ``rows``: X is (m, n_x) and the
        step takes the batch's transpose. One program per batch size: the slice's start
        enters as a number. None where the program does not compile: the caller then
        gathers the batch and runs the step on it (``__call__``), which compiles, warns
        or refuses as ``jit_compile`` says (JAX only).

        The program consumes (donates) ``parameters``, ``optimizer_state`` and ``total``,
        writing their successors into the same memory: the caller passes arrays that
        nothing else holds (:meth:`own`), and keeps only the returned ones.
        """
        X, Y, weights = data
        size = s.stop - s.start
        key = (axis, rows)
        if key not in self._indexed:
            enable_compile_cache(self.library)
            self._indexed[key] = GATHERING[self.library](self, axis, rows)
        run_key = ("indexed", key, size, weights is None, order is None)
        args = (parameters, optimizer_state, X, Y, weights, order, s.start, total, masks, rate)
        if run_key in self._ran:
            return self._indexed[key](*args, size=size)
        try:
            out = self._indexed[key](*args, size=size)
        except Exception:  # the first run of a variant is its compilation
            self.indexes = False  # the batches are gathered first, then stepped
            return None
        self._ran.add(run_key)
        return out

    def sound(
        self,
        parameters: dict[str, Array],
        optimizer_state: dict[str, Any],
        data: tuple[Array, Array, Array | None],
        order: Array | None,
        s: slice,
        *,
        axis: int,
        rows: bool,
    ) -> bool:
        """Whether :func:`xpnet.divergence.check_trained` finds the state sound after
        the batch that :meth:`indexed` took from ``order`` and ``s``, read in one
        program; False also where the program does not compile: the caller then checks
        eagerly, which says what is wrong."""
        key = (axis, rows)
        try:
            if key not in self._sound:
                self._sound[key] = SOUNDNESS[self.library](self, axis, rows)
            X, Y, weights = data
            return bool(
                self._sound[key](
                    parameters, optimizer_state, X, Y, weights, order, s.start,
                    size=s.stop - s.start,
                )
            )  # fmt: skip
        except Exception:  # checked eagerly instead
            return False

    def own(self, *trees: Any) -> Any:
        """Copies of trees of arrays (dicts of arrays, or of dicts of arrays), in one
        dispatch: :meth:`indexed` consumes its parameters and optimiser state, and so
        takes only arrays that nothing else holds (JAX only)."""
        if self._copy is None:
            import jax

            xp = self.xp
            self._copy = jax.jit(
                lambda trees: jax.tree.map(lambda a: xp.asarray(a, copy=True), trees)
            )
        return self._copy(trees)

    def _eager(self, *args: Any, with_loss: bool) -> Any:
        return train_step(
            self.network, self.optimizer, *args, with_loss=with_loss, xp=self.xp, clip=self.clip
        )


_NAMES = {"jax": "jax.jit", "torch": "torch.compile"}
_warned: set[str] = set()


def _warn_once(library: str, exc: Exception) -> None:
    if library not in _warned:
        _warned.add(library)
        warnings.warn(
            f"Could not compile the training step with {_NAMES[library]} "
            f"({type(exc).__name__}: {exc}); training eagerly. Set jit_compile=True to "
            "make this an error, or False to silence it",
            RuntimeWarning,
            stacklevel=4,
        )


def _fresh(fn: Any) -> Any:
    """A copy of ``fn`` with a code object of its own: torch's compiled code is cached
    per code object, so each variant keeps its own cache and recompile budget."""
    return types.FunctionType(
        fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )


def _jax(step: CompiledStep, with_loss: bool) -> Any:
    import jax

    return jax.jit(functools.partial(step._traced, with_loss=with_loss))


def _gather(
    data: tuple, order: Any, start: Any, size: int, axis: int, rows: bool, xp: Any
) -> tuple:
    """Inside a JAX program: the batch (X, Y, weights) of ``size`` examples from
    ``start`` in ``order`` (None: the data's own), as :meth:`InMemory.batch
    <xpnet.sources.InMemory.batch>` gathers it."""
    import jax

    X, Y, weights = data
    index = None if order is None else jax.lax.dynamic_slice_in_dim(order, start, size)

    def cut(A: Any, on: int) -> Any:
        if index is None:  # the data's own order: the examples from start
            return jax.lax.dynamic_slice_in_dim(A, start, size, axis=on)
        return xp.take(A, index, axis=on)

    Xb = cut(X, axis)
    batch = (Xb.T if rows else Xb, cut(Y, 1), None if weights is None else cut(weights, 1))
    # The batch as a step on a gathered batch takes it: XLA does not fold the gather
    # and the transpose into the step, whose arithmetic then stays the same.
    return tuple(jax.lax.optimization_barrier(batch))


def _jax_indexed(step: CompiledStep, axis: int, rows: bool) -> Any:
    import jax

    def gathered(
        parameters: Any, state: Any, X: Any, Y: Any, weights: Any, order: Any, start: Any,
        total: Any, masks: tuple, rate: Any, *, size: int,
    ) -> Any:  # fmt: skip
        Xb, Yb, wb = _gather((X, Y, weights), order, start, size, axis, rows, step.xp)
        step.traces += 1  # runs once per trace, never when the compiled program runs
        parameters, state, loss = train_step(
            step.network, step.optimizer, parameters, state, Xb, Yb, wb, masks, rate,
            with_loss=True, xp=step.xp, clip=step.clip,
        )  # fmt: skip
        # the batch's loss as the step returns it, then added (XLA would otherwise start
        # the loss's own sum from the total, which rounds differently)
        return parameters, state, total + jax.lax.optimization_barrier(loss)

    return jax.jit(gathered, static_argnames="size", donate_argnums=(0, 1, 7))


def _jax_sound(step: CompiledStep, axis: int, rows: bool) -> Any:
    import jax

    def sound(
        parameters: Any, state: Any, X: Any, Y: Any, weights: Any, order: Any, start: Any,
        *, size: int,
    ) -> Any:  # fmt: skip
        Xb, Yb, _ = _gather((X, Y, weights), order, start, size, axis, rows, step.xp)
        _, finite = soundness(step.network, Xb, Yb, parameters, state, step.xp)
        return step.xp.all(finite)

    return jax.jit(sound, static_argnames="size")


#: The ``torch.compile`` backend: inductor generates the code; "eager" only traces.
TORCH_BACKEND = "inductor"


def _torch(step: CompiledStep, with_loss: bool) -> Any:
    import torch

    compile_graph = torch._dynamo.lookup_backend(TORCH_BACKEND)

    def backend(graph: Any, example_inputs: Any) -> Any:
        program = compile_graph(graph, example_inputs)
        step.traces += 1  # counted once compiled: dynamo restarts its analysis by raising
        return program

    def traced(*args: Any) -> Any:
        return train_step(
            step.network, step.optimizer, *args, with_loss=with_loss, xp=step.xp, clip=step.clip
        )

    return torch.compile(_fresh(traced), fullgraph=True, dynamic=False, backend=backend)


#: Library → how it compiles a :class:`CompiledStep`'s variant.
COMPILERS = {"jax": _jax, "torch": _torch}
#: Library → how it compiles the step that gathers its own batch (:meth:`CompiledStep.indexed`).
GATHERING = {"jax": _jax_indexed}
#: Library → how it compiles :meth:`CompiledStep.sound`.
SOUNDNESS = {"jax": _jax_sound}


@functools.lru_cache(maxsize=32)
def compiled_step(
    network: Any, optimizer: Any, library: str, xp: Any, clip: tuple = (None, None)
) -> CompiledStep:
    """The compiled step of one (network, optimiser, clipping) on ``library``, cached: a
    warm start or ``partial_fit`` with the same configuration reuses its programs."""
    return CompiledStep(network, optimizer, library, xp, clip)
