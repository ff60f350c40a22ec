import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import course, losses


def bce_reference(Z, Y):
    A = 1 / (1 + np.exp(-Z))
    return -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))


def test_binary_cross_entropy_matches_the_course_formula(backend, put):
    rng = np.random.RandomState(0)
    Z, Y = rng.randn(1, 50), (rng.rand(1, 50) > 0.5).astype(float)
    cost = losses.binary_cross_entropy(put(Z), put(Y))
    assert cost.ndim == 0
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-6
    assert_close(cost, bce_reference(Z, Y), rtol=tol)


def test_binary_cross_entropy_is_finite_at_1000(backend, put):
    Z, Y = put([[1000.0, -1000.0, 1000.0, -1000.0]]), put([[1.0, 0.0, 0.0, 1.0]])
    # Right answers cost nothing; each wrong one costs |z| = 1000.
    assert_close(losses.binary_cross_entropy(Z, Y), 2000 / 4)


def test_categorical_cross_entropy_matches_reference(backend, put):
    rng = np.random.RandomState(1)
    Z = rng.randn(4, 30)
    Y = np.eye(4)[:, rng.randint(0, 4, 30)]
    log_softmax = Z - np.log(np.exp(Z).sum(axis=0))
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-6
    assert_close(
        losses.categorical_cross_entropy(put(Z), put(Y)),
        -np.mean(np.sum(Y * log_softmax, axis=0)),
        rtol=tol,
    )


def test_categorical_cross_entropy_is_finite_at_1000(backend, put):
    Z = put([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 0.0]])
    Y = put([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    assert_close(losses.categorical_cross_entropy(Z, Y), 2000 / 2)


def test_two_class_softmax_equals_sigmoid_cost(backend, put):
    z = np.array([[-3.0, 0.5, 2.0, 7.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0]])
    binary = course.compute_cost(put(z), put(y), "sigmoid")
    two_class = course.compute_cost(
        put(np.r_[np.zeros_like(z), z]), put(np.r_[1 - y, y]), "softmax"
    )
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-6
    assert_close(binary, float(two_class), rtol=tol)


def test_unknown_output_is_an_error():
    with pytest.raises(
        ValueError,
        match=r"Invalid output\. Expected one of \['identity', 'sigmoid', 'softmax'\]\. Received: output='linear'",
    ):
        course.compute_cost(np.zeros((1, 2)), np.zeros((1, 2)), "linear")


def test_the_course_labels_may_be_integers_or_booleans(backend, put):
    Z = put(np.asarray([[-1.0, 2.0, 0.5]]))
    floats = course.compute_cost(Z, put(np.asarray([[0.0, 1.0, 1.0]])))
    for labels in (np.asarray([[0, 1, 1]]), np.asarray([[False, True, True]])):
        assert float(course.compute_cost(Z, xpnet.asarray(labels))) == float(floats)


def test_a_vector_of_logits_is_a_clear_error(backend, put):
    with pytest.raises(ValueError, match=r"Expected Z and Y of one shape \(n_y, m\)"):
        course.compute_cost(put(np.zeros(3)), put(np.zeros(3)))


def test_mean_squared_error_is_the_courses_half_mean_of_squares(backend, put):
    rng = np.random.RandomState(0)
    A, Y = rng.randn(2, 7), rng.randn(2, 7)
    expected = np.sum((A - Y) ** 2) / (2 * 7)  # J = 1/(2m)·Σ (A − Y)²
    assert float(losses.mean_squared_error(put(A), put(Y))) == pytest.approx(expected, rel=1e-6)
    head = losses.get_output("identity")
    Z = put(A)
    assert head.activation(Z) is Z  # A = Z
