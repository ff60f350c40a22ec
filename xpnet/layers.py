"""The course's building blocks: one linear unit, and linear → activation, forward and back.

Examples are columns: ``A_prev`` has shape (n_prev, m), ``W`` (n, n_prev), ``b`` (n, 1).
Every function works on any array-API backend; arrays stay on their device.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from array_api_compat import array_namespace

from .activations import get_activation, softmax

__all__ = [
    "Cache",
    "LinearCache",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
]

Array = Any


class LinearCache(NamedTuple):
    """What the linear step's backward pass needs: its inputs."""

    A_prev: Array
    W: Array
    b: Array


class Cache(NamedTuple):
    """One layer's forward values: the linear inputs, Z and A = g(Z).

    The backward pass needs only ``linear`` and ``A`` (every g' is written through A);
    :func:`xpnet.network.L_model_forward` keeps Z of the output layer only.
    """

    linear: LinearCache
    Z: Array
    A: Array


def linear_forward(
    A_prev: Array, W: Array, b: Array, /, *, xp: Any = None
) -> tuple[Array, LinearCache]:
    """Z = W·A_prev + b.

    Returns
    -------
    Z : array of shape (n, m)
    cache : LinearCache
    """
    Z = W @ A_prev + b  # Z = W·A_prev + b
    return Z, LinearCache(A_prev, W, b)


def linear_backward(
    dZ: Array, cache: LinearCache, /, *, need_dA_prev: bool = True, xp: Any = None
) -> tuple[Array | None, Array, Array]:
    """The gradients of the linear step from dZ = ∂J/∂Z.

    Parameters
    ----------
    dZ : array of shape (n, m)
    cache : LinearCache
    need_dA_prev : bool
        False skips dA_prev (None is returned): the first layer has no use for it, and
        it costs as much as dW.

    Returns
    -------
    dA_prev : array of shape (n_prev, m), or None
    dW : array of shape (n, n_prev)
    db : array of shape (n, 1)
    """
    xp = array_namespace(dZ) if xp is None else xp
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = (dZ @ A_prev.T) / m  # dW = 1/m · dZ · A_prevᵀ
    db = xp.sum(dZ, axis=1, keepdims=True) / m  # db = 1/m · Σ dZ
    dA_prev = W.T @ dZ if need_dA_prev else None  # dA_prev = Wᵀ · dZ
    return dA_prev, dW, db


def linear_activation_forward(
    A_prev: Array, W: Array, b: Array, /, activation: str, *, xp: Any = None
) -> tuple[Array, Cache]:
    """A = g(W·A_prev + b), with g one of the registered activations or ``"softmax"``.

    Returns
    -------
    A : array of shape (n, m)
    cache : Cache
    """
    xp = array_namespace(A_prev) if xp is None else xp
    g = softmax if activation == "softmax" else get_activation(activation).fn
    Z, linear_cache = linear_forward(A_prev, W, b, xp=xp)
    A = g(Z, xp=xp)  # A = g(Z)
    return A, Cache(linear_cache, Z, A)


def linear_activation_backward(
    dA: Array, cache: Cache, /, activation: str, *, need_dA_prev: bool = True, xp: Any = None
) -> tuple[Array | None, Array, Array]:
    """Back through A = g(W·A_prev + b): dZ = dA ∗ g'(Z), then the linear step.

    g'(Z) is computed from ``cache.A``; ``cache.Z`` is not needed.

    Returns
    -------
    dA_prev, dW, db : as :func:`linear_backward`
    """
    xp = array_namespace(dA) if xp is None else xp
    g_prime = get_activation(activation).derivative
    dZ = dA * g_prime(cache.A, xp=xp)  # dZ = dA ∗ g'(Z), through A = g(Z)
    return linear_backward(dZ, cache.linear, need_dA_prev=need_dA_prev, xp=xp)
