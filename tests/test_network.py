"""The network's layout: layers whose input keeps its examples on an axis other than 1.

A test-only first layer takes images (m, a, b), examples on axis 0, as the course's
convolutions will; batching, dropout masks and training must follow its
``sample_axis`` and ``output_shape`` and never assume a 2-D X of columns.
"""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from conftest import assert_close
from xpnet import to_numpy
from xpnet.layers import Dense, Dropout, Layer
from xpnet.network import Network
from xpnet.optimizers import Adam
from xpnet.training import TrainingConfig, TrainingState, train


@dataclass(frozen=True)
class Images:
    """(m, a, b) → (a·b, m) with ``flatten``, else the images unchanged (m, a, b)."""

    flatten: bool = True
    sample_axis = 0

    def forward(self, A_prev, parameters, *, mask=None, xp):
        if not self.flatten:
            return A_prev, None
        m = A_prev.shape[0]
        return xp.reshape(A_prev, (m, -1)).T, tuple(A_prev.shape)

    def backward(self, dA, cache, *, need_dA_prev, xp):
        if not need_dA_prev:
            return None, {}
        return (dA if cache is None else xp.reshape(dA.T, cache)), {}

    def output_shape(self, input_shape, parameters):
        if not self.flatten:
            return input_shape
        return (math.prod(input_shape[1:]), input_shape[0])


def images(m=45, a=2, b=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(m, a, b)
    Y = (X[:, 0, 0] - X[:, 1, 2] > 0)[None, :] * 1.0
    return X, Y


def parameters(put, dims=(6, 5, 1), seed=1):
    rng = np.random.RandomState(seed)
    p = {}
    for l in range(1, len(dims)):  # noqa: E741
        p[f"W{l}"] = put(rng.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1]))
        p[f"b{l}"] = put(np.zeros((dims[l], 1)))
    return p


def test_the_test_layer_is_a_layer():
    assert isinstance(Images(), Layer)
    assert isinstance(Dense(1, "relu"), Layer) and isinstance(Dropout(0.5), Layer)


def test_the_sample_axis_is_the_first_layers():
    assert Network((Images(), Dense(1)), "sigmoid").sample_axis == 0
    assert Network.dense(2).sample_axis == 1


def test_masks_take_the_shape_of_the_activation_they_follow(backend, put, float64):
    layers = (Images(False), Dropout(0.5), Images(), Dense(1, "relu"), Dropout(0.8), Dense(2))
    network = Network(layers)
    p = parameters(put)
    masks = network.draw_masks(np.random.RandomState(0), p, (7, 2, 3), xp=backend.xp)
    assert [tuple(D.shape) for D in masks] == [(7, 2, 3), (5, 7)]
    X = np.random.RandomState(1).randn(7, 2, 3)
    D = np.random.RandomState(0).rand(7, 2, 3) < 0.5
    ZL, _ = network.forward(put(X), p, masks=masks)
    h = {k: to_numpy(v) for k, v in p.items()}
    A0 = (X * D / 0.5).reshape(7, -1).T
    A1 = np.maximum(h["W1"] @ A0 + h["b1"], 0) * to_numpy(masks[1]) / 0.8
    assert_close(masks[0], D)
    assert_close(ZL, h["W2"] @ A1 + h["b2"], rtol=1e-10)


def test_training_on_images_equals_training_on_their_columns(backend, put, float64):
    """Mini-batches, shuffles, dropout and Adam over (m, a, b) with examples on axis 0
    give what the same recipe gives on the columns (a·b, m) of a dense network."""
    X, Y = images()
    flat = Network.dense(2, "relu", keep_prob=0.8)
    layered = Network((Images(), *flat.layers), flat.output)
    runs = []
    for network, data in ((flat, X.reshape(45, -1).T), (layered, X)):
        config = TrainingConfig(network, Adam(), 0.01, batch_size=8, jit_compile=False)
        p = parameters(put)
        state = TrainingState(p, Adam().init(p), seed=3)
        runs.append(train(config, state, put(data), put(Y), epochs=3, xp=backend.xp))
    assert runs[1].epoch == 3 and len(runs[1].loss_curve) == 3
    assert_close(np.asarray(runs[1].loss_curve), np.asarray(runs[0].loss_curve), rtol=1e-10)
    for k, v in runs[0].parameters.items():
        assert_close(runs[1].parameters[k], v, rtol=1e-10, atol=1e-14)


def test_parameters_of_layers_the_network_lacks_are_refused():
    """A 4-layer network's parameters given to a 3-layer one: L2 would weigh W4 and the
    update would look for its gradient."""
    from xpnet.course import initialize_parameters

    rng = np.random.RandomState(0)
    X, Y = rng.randn(4, 30), (rng.rand(1, 30) > 0.5) * 1.0
    parameters = initialize_parameters([4, 20, 7, 5, 1], "xavier", random_state=1)
    network = Network.dense(3, "relu", "sigmoid", l2=0.7)
    with pytest.raises(
        ValueError, match=r"Invalid parameters\. .*Received others too: \['W4', 'b4'\]"
    ):
        network.gradients(X, Y, parameters)
