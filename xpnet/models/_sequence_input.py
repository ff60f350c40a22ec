"""A sequence classifier's input: sequences checked and laid out as rows, and the first
layer that reads those rows back as the course's sequences (n_x, m, T_x).

The estimators' engine trains on rows (n_samples, width) whose transposes are the
course's columns (:class:`~xpnet.sources.InMemory`). A batch of sequences of shape
(n, T_x, n_x) is kept as rows of width T_x·n_x (step t's features in columns
t·n_x … t·n_x + n_x − 1), and token ids (n, T_x) as rows of width T_x;
:class:`SequenceInput` turns a batch of those columns into x of shape (n_x, m, T_x),
one-hot for tokens, and runs the recurrent layer over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np  # edge: host-side checks of host data
from array_api_compat import device

from ..backend import Backend, dtype_name, is_host_data
from ..dask_arrays import is_dask_array
from ..labels import masked_host
from ._validation import check_X

__all__ = ["IN_MEMORY", "SequenceInput", "sequence_rows"]

Array = Any

IN_MEMORY = (
    "Invalid X. Expected sequences in memory (NumPy or a backend's arrays). Received a Dask array"
)
_EXPECTED = (
    "Expected sequences of shape (n_samples, T, n_x), or integer token ids of shape "
    "(n_samples, T) with n_tokens set"
)


@dataclass(frozen=True)
class SequenceInput:
    """The first layer: columns (T_x·n_x, m) of features, or (T_x, m) of token ids,
    as x of shape (n_x, m, T_x), through ``recurrent`` (its last hidden state only).

    Only ever the first layer: it gives no gradient for its input.
    """

    n_x: int
    tokens: bool
    recurrent: Any  # a SimpleRNN or an LSTM, return_sequences=False

    sample_axis: ClassVar[int] = 1  # columns: examples are A_prev's axis 1

    def sequences(self, A_prev: Array, *, xp: Any) -> Array:
        """x of shape (n_x, m, T_x) from the columns A_prev."""
        width, m = A_prev.shape
        if self.tokens:  # x[k, i, t] = 1 where token t of example i is k
            ids = xp.asarray(np.arange(self.n_x), dtype=A_prev.dtype, device=device(A_prev))
            one_hot = xp.astype(A_prev[None, :, :] == ids[:, None, None], A_prev.dtype)
            return xp.permute_dims(one_hot, (0, 2, 1))  # (n_x, T_x, m) → (n_x, m, T_x)
        steps = xp.reshape(A_prev, (width // self.n_x, self.n_x, m))  # (T_x, n_x, m)
        return xp.permute_dims(steps, (1, 2, 0))

    def forward(
        self, A_prev: Array, parameters: dict[str, Array], *, mask: Any = None, xp: Any
    ) -> tuple[Array, Any]:
        return self.recurrent.forward(self.sequences(A_prev, xp=xp), parameters, xp=xp)

    def backward(
        self, dA: Array, cache: Any, *, need_dA_prev: bool, xp: Any
    ) -> tuple[Array | None, dict[str, Array]]:
        _, grads = self.recurrent.backward(dA, cache, need_dA_prev=False, xp=xp)
        return None, grads

    def output_shape(
        self, input_shape: tuple[int, ...], parameters: dict[str, Array]
    ) -> tuple[int, ...]:
        width, m = input_shape
        T_x = width if self.tokens else width // self.n_x
        return self.recurrent.output_shape((self.n_x, m, T_x), parameters)


def _host(X: Any) -> np.ndarray:
    """Host data as an array, ragged sequences refused with their lengths."""
    if isinstance(X, list | tuple):
        lengths = {len(s) for s in X if hasattr(s, "__len__") and not isinstance(s, str)}
        if len(lengths) > 1:
            raise ValueError(
                f"Invalid X. Expected sequences of one length T: pad the shorter ones. "
                f"Received sequences of lengths {sorted(lengths)}"
            )
    try:
        return masked_host(X, "X")
    except ValueError as exc:  # a ragged nest deeper down
        raise ValueError(f"Invalid X. {_EXPECTED}, of one length. Received: {exc}") from exc


def _check_tokens(X: Array, n_tokens: int | None, xp: Any) -> int:
    """n_x, the number of tokens: ``n_tokens``, or the largest id + 1 where None;
    every id checked to lie in [0, n_x)."""
    low, high = (int(v) for v in (xp.min(X), xp.max(X)))
    n_x = high + 1 if n_tokens is None else n_tokens
    if low < 0 or high >= n_x:
        raise ValueError(
            f"Invalid X. Expected token ids in [0, {n_x}) (n_tokens={n_x}). Received ids "
            f"from {low} to {high}"
        )
    return n_x


def sequence_rows(
    X: Any, tokens: bool, n_tokens: int | None, backend: Backend | None, dtype: str | None
) -> tuple[Array, Backend, bool, int]:
    """X checked and laid out as rows: (n, T·n_x) for sequences, (n, T) for token ids.

    ``n_tokens`` is the fitted number of tokens, or the one asked for (None: the
    largest id + 1). Returns the rows, where they live, whether X came from the host,
    and n_x (features per step, or tokens).
    """
    if is_dask_array(X):
        raise TypeError(IN_MEMORY)
    host = is_host_data(X)
    X = _host(X) if host else X
    xp = np if host else Backend.of(X, None).xp
    shape: tuple[int, ...] = tuple(X.shape)
    integral = X.dtype.kind in "iu" if host else bool(xp.isdtype(X.dtype, "integral"))
    if tokens:
        if len(shape) != 2 or not integral:
            kind = "integers" if integral else f"values of dtype {dtype_name(X.dtype)}"
            raise ValueError(
                f"Invalid X. Expected integer token ids of shape (n_samples, T), as n_tokens "
                f"is set. Received {kind} of shape {shape}"
            )
    elif len(shape) != 3:
        hint = " (token ids? set n_tokens)" if len(shape) == 2 and integral else ""
        raise ValueError(f"Invalid X. {_EXPECTED}. Received an array of shape {shape}{hint}")
    if 0 in shape:
        raise ValueError(f"Invalid X. {_EXPECTED}, none of them empty. Received shape {shape}")
    n_x = _check_tokens(X, n_tokens, xp) if tokens else shape[-1]
    rows = X if tokens else xp.reshape(X, (shape[0], -1))
    rows, backend, _ = check_X(rows, backend, dtype)
    return rows, backend, host, n_x
