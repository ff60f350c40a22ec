"""Mini-batches: the course's shuffles, drawn on the host, sliced where the data lives."""

import numpy as np

import xpnet
from conftest import assert_close
from xpnet import batches, course


def test_random_mini_batches_is_the_courses(backend, put):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(2, 148), (rng.rand(1, 148) > 0.5) * 1.0
    got = course.random_mini_batches(put(X), put(Y), 64, 11)
    np.random.seed(11)  # the course's own code, on the host
    permutation = list(np.random.permutation(148))
    X_s, Y_s = X[:, permutation], Y[:, permutation]
    expected = [(X_s[:, k : k + 64], Y_s[:, k : k + 64]) for k in (0, 64, 128)]
    assert [tuple(b[0].shape) for b in got] == [(2, 64), (2, 64), (2, 20)]
    for (Xb, Yb), (Xe, Ye) in zip(got, expected, strict=True):
        dtype = xpnet.to_numpy(Xb).dtype  # float32 on a device without float64
        assert_close(Xb, Xe.astype(dtype), rtol=0)
        assert_close(Yb, Ye.astype(dtype), rtol=0)


def test_epoch_batches_follow_the_course_convention():
    order, slices = batches.epoch_batches(300, 64, shuffle=True, seed=10, epoch=2)
    np.testing.assert_array_equal(order, np.random.RandomState(10 + 1 + 2).permutation(300))
    assert [(s.start, s.stop) for s in slices] == [
        (0, 64),
        (64, 128),
        (128, 192),
        (192, 256),
        (256, 300),
    ]
    assert batches.epoch_batches(300, 64, shuffle=False)[0] is None
    assert batches.epoch_batches(300, None) == (None, [slice(0, 300)])
    assert batches.epoch_batches(300, 500)[1] == [slice(0, 300)]


def test_auto_batches_are_resolved_here_and_along_indexes_any_axis():
    order, slices = batches.epoch_batches(450, "auto", seed=3, epoch=1)
    assert [(s.start, s.stop) for s in slices] == [(0, 200), (200, 400), (400, 450)]
    np.testing.assert_array_equal(order, batches.epoch_order(450, 3, 1))
    assert batches.epoch_batches(150, "auto") == (None, [slice(0, 150)])
    X = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(X[batches.along(1, slice(1, 3))], X[:, 1:3])
    np.testing.assert_array_equal(X[batches.along(0, slice(0, 1))], X[:1])


def test_every_seed_numpy_takes_shuffles_every_epoch():
    """seed + 1 + epoch passes 2³² − 1 near the top of the range: taken modulo 2³², the
    fit goes on rather than failing part-way with NumPy's range error."""
    X = np.random.RandomState(0).randn(60, 4)
    y = (X[:, 0] > 0).astype(int)
    model = xpnet.DeepNet((5,), batch_size=10, num_iterations=5, tol=None)
    model.set_params(random_state=2**32 - 3).fit(X, y)
    assert model.n_iter_ == 5
    order = batches.epoch_order
    np.testing.assert_array_equal(order(7, 2**32 - 3, 2), order(7, 2**32 - 4, 3))
