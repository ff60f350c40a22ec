"""The course's convolution functions (xpnet.course, course 4 week 1): its published
values, its shapes and caches, its refusals, on every float64 backend.

Every expected value below is printed by the newest public version of the course's
notebook "Convolution_model_Step_by_Step" (its first cell reads "### v1.1"), as held
by the repository Hoanha2101/SmartBottleInspector at
Khai_Hoan/MOOC4/W1A1/Convolution_model_Step_by_Step_v1.ipynb, commit 535b51b13bbe;
each test names the notebook cell (its exercise) it reproduces. Values printed with
every digit are compared to 1e-12; those NumPy printed to 8 decimals, to half a unit
of the 8th decimal.
"""

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import course

PRINTED = {"rtol": 0, "atol": 5e-9}  # NumPy's 8 printed decimals


def mean(A) -> float:
    return float(np.mean(xpnet.to_numpy(A)))


# -- Exercise 1, 2: zero_pad and conv_single_step -------------------------------------


def test_zero_pad_as_the_notebook(backend, put, float64):
    # Exercise 1: np.random.seed(1); x = randn(4, 3, 3, 2); x_pad = zero_pad(x, 3).
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    x_pad = course.zero_pad(put(x), 3)
    assert tuple(x_pad.shape) == (4, 9, 9, 2)
    host = xpnet.to_numpy(x_pad)
    # printed: x[1,1] = [[0.90085595 -0.68372786] [-0.12289023 -0.93576943] [-0.26788808 0.53035547]]
    np.testing.assert_allclose(
        x[1, 1],
        [[0.90085595, -0.68372786], [-0.12289023, -0.93576943], [-0.26788808, 0.53035547]],
        **PRINTED,
    )
    assert (host[1, 1] == 0).all()  # printed: x_pad[1,1] = zeros (9, 2)
    np.testing.assert_array_equal(host[:, 3:6, 3:6, :], x)


def test_conv_single_step_as_the_notebook(backend, put, float64):
    # Exercise 2: seed(1); a_slice_prev, W = randn(4, 4, 3) each; b = randn(1, 1, 1);
    # printed "Z = -6.999089450680221".
    np.random.seed(1)
    a_slice_prev = np.random.randn(4, 4, 3)
    W = np.random.randn(4, 4, 3)
    b = np.random.randn(1, 1, 1)
    Z = course.conv_single_step(put(a_slice_prev), put(W), put(b))
    assert tuple(Z.shape) == ()
    assert float(Z) == pytest.approx(-6.999089450680221, rel=1e-12)


# -- Exercise 3: conv_forward ----------------------------------------------------------


def notebook_conv_forward(put):
    """seed(1); A_prev = randn(2, 5, 7, 4); W = randn(3, 3, 4, 8); b = randn(1, 1, 1, 8)."""
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    return course.conv_forward(put(A_prev), put(W), put(b), {"pad": 1, "stride": 2})


def test_conv_forward_as_the_notebook(backend, put, float64):
    Z, cache_conv = notebook_conv_forward(put)
    assert tuple(Z.shape) == (2, 3, 4, 8)
    # printed: "Z's mean =\n 0.5511276474566768"
    assert mean(Z) == pytest.approx(0.5511276474566768, rel=1e-12)
    # printed: "Z[0,2,1] =\n [-2.17796037 8.07171329 -0.5772704 3.36286738 4.48113645
    #  -2.89198428 10.99288867 3.03171932]"
    Z_021 = [-2.17796037, 8.07171329, -0.5772704, 3.36286738]
    Z_021 += [4.48113645, -2.89198428, 10.99288867, 3.03171932]
    assert_close(Z[0, 2, 1, ...], np.asarray(Z_021), **PRINTED)
    # printed: "cache_conv[0][1][2][3] =\n [-1.1191154 1.9560789 -0.3264995 -1.34267579]"
    assert_close(
        xpnet.to_numpy(cache_conv[0])[1][2][3],
        np.asarray([-1.1191154, 1.9560789, -0.3264995, -1.34267579]),
        **PRINTED,
    )
    assert len(cache_conv) == 4 and cache_conv[3] == {"pad": 1, "stride": 2}


# -- Exercise 4: pool_forward, stride 1 and stride 2 -----------------------------------

CASE_1 = {  # hparameters {"stride": 1, "f": 3}; printed A[1, 1]
    "max": [
        [1.96710175, 0.84616065, 1.27375593],
        [1.96710175, 0.84616065, 1.23616403],
        [1.62765075, 1.12141771, 1.2245077],
    ],
    "average": [
        [0.44497696, -0.00261695, -0.31040307],
        [0.50811474, -0.23493734, -0.23961183],
        [0.11872677, 0.17255229, -0.22112197],
    ],
}
CASE_2_MAX_A0 = [  # hparameters {"stride": 2, "f": 3}, mode max; printed A[0]
    [[1.74481176, 0.90159072, 1.65980218], [1.74481176, 1.6924546, 1.65980218]],
    [[1.13162939, 1.51981682, 2.18557541], [1.13162939, 1.6924546, 2.18557541]],
]
CASE_2_AVERAGE_A1 = [  # mode average; printed A[1]
    [[-0.17313416, 0.32377198, -0.34317572], [0.02030094, 0.14141479, -0.01231585]],
    [[0.42944926, 0.08446996, -0.27290905], [0.15077452, 0.28911175, 0.00123239]],
]


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_forward_case_1_as_the_notebook(backend, put, float64, mode):
    # Exercise 4, CASE 1: seed(1); A_prev_case_1 = randn(2, 5, 5, 3).
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 5, 3)
    A, cache = course.pool_forward(put(A_prev), {"stride": 1, "f": 3}, mode=mode)
    assert tuple(A.shape) == (2, 3, 3, 3)
    assert_close(A[1, 1, ...], np.asarray(CASE_1[mode]), **PRINTED)
    assert len(cache) == 2 and cache[1] == {"stride": 1, "f": 3}
    assert_close(cache[0], A_prev, rtol=0)


def test_pool_forward_case_2_as_the_notebook(backend, put, float64):
    # Exercise 4, CASE 2: seed(1); A_prev_case_2 = randn(2, 5, 5, 3); stride 2, f 3.
    np.random.seed(1)
    A_prev = put(np.random.randn(2, 5, 5, 3))
    A, _ = course.pool_forward(A_prev, {"stride": 2, "f": 3})  # the default mode: max
    assert tuple(A.shape) == (2, 2, 2, 3)
    assert_close(A[0, ...], np.asarray(CASE_2_MAX_A0), **PRINTED)
    A, _ = course.pool_forward(A_prev, {"stride": 2, "f": 3}, mode="average")
    assert_close(A[1, ...], np.asarray(CASE_2_AVERAGE_A1), **PRINTED)


# -- Exercise 5: conv_backward ---------------------------------------------------------


def test_conv_backward_as_the_notebook(backend, put, float64):
    # Exercise 5: seed(1); A_prev = randn(10, 4, 4, 3); W = randn(2, 2, 3, 8);
    # b = randn(1, 1, 1, 8); pad 2, stride 2; dA, dW, db = conv_backward(Z, cache_conv).
    np.random.seed(1)
    A_prev = np.random.randn(10, 4, 4, 3)
    W = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, cache_conv = course.conv_forward(put(A_prev), put(W), put(b), {"pad": 2, "stride": 2})
    dA, dW, db = course.conv_backward(Z, cache_conv)
    assert tuple(dA.shape) == (10, 4, 4, 3)
    assert tuple(dW.shape) == (2, 2, 3, 8)
    assert tuple(db.shape) == (1, 1, 1, 8)
    assert mean(dA) == pytest.approx(1.4524377775388075, rel=1e-12)  # printed dA_mean
    assert mean(dW) == pytest.approx(1.7269914583139097, rel=1e-12)  # printed dW_mean
    assert mean(db) == pytest.approx(7.839232564616838, rel=1e-12)  # printed db_mean


def test_conv_backward_without_padding_returns_the_whole_gradient(backend, put, float64):
    """The course's unpadding [pad:-pad] is empty for pad 0; here dA_prev is whole."""
    rng = np.random.RandomState(0)
    A_prev, W, b = rng.randn(2, 4, 4, 2), rng.randn(2, 2, 2, 3), rng.randn(1, 1, 1, 3)
    Z, cache = course.conv_forward(put(A_prev), put(W), put(b), {"pad": 0, "stride": 1})
    dA, _, _ = course.conv_backward(Z, cache)
    assert tuple(dA.shape) == (2, 4, 4, 2)
    assert float(np.abs(xpnet.to_numpy(dA)).sum()) > 0


# -- Exercises 6-8: the mask, distribute_value, pool_backward --------------------------


def test_create_mask_from_window_as_the_notebook(backend, put, float64):
    # Exercise 6: seed(1); x = randn(2, 3); printed x = [[1.62434536 -0.61175641 -0.52817175]
    # [-1.07296862 0.86540763 -2.3015387]] and mask = [[True False False] [False False False]].
    np.random.seed(1)
    x = np.random.randn(2, 3)
    np.testing.assert_allclose(
        x,
        [[1.62434536, -0.61175641, -0.52817175], [-1.07296862, 0.86540763, -2.3015387]],
        **PRINTED,
    )
    mask = xpnet.to_numpy(course.create_mask_from_window(put(x)))
    np.testing.assert_array_equal(mask, [[True, False, False], [False, False, False]])
    # and the notebook's assert: the True of [[-1, 2, 3], [2, -3, 2], [1, 5, -2]] at (2, 1)
    x = put(np.array([[-1.0, 2, 3], [2, -3, 2], [1, 5, -2]]))
    expected = np.zeros((3, 3), dtype=bool)
    expected[2, 1] = True
    np.testing.assert_array_equal(xpnet.to_numpy(course.create_mask_from_window(x)), expected)


def test_create_mask_marks_one_of_tied_maxima(backend, put):
    mask = xpnet.to_numpy(course.create_mask_from_window(put(np.zeros((2, 2)))))
    np.testing.assert_array_equal(mask, [[True, False], [False, False]])


def test_distribute_value_as_the_notebook(backend, put, float64):
    # Exercise 7: distribute_value(2, (2, 2)) printed [[0.5 0.5] [0.5 0.5]]; and the
    # notebook's asserts: (10, 10) from 100 sums to 100.
    a = course.distribute_value(2, (2, 2))
    np.testing.assert_array_equal(xpnet.to_numpy(a), [[0.5, 0.5], [0.5, 0.5]])
    a = course.distribute_value(100, (10, 10))
    assert tuple(a.shape) == (10, 10) and float(np.sum(xpnet.to_numpy(a))) == 100
    a = course.distribute_value(put(np.asarray(3.0)), (1, 3))
    np.testing.assert_array_equal(xpnet.to_numpy(a), [[1.0, 1.0, 1.0]])


def test_pool_backward_as_the_notebook(backend, put, float64):
    # Exercise 8: seed(1); A_prev = randn(5, 5, 3, 2); stride 1, f 2 (windows overlap);
    # dA = randn(5, 4, 2, 2); printed "mean of dA = 0.14571390272918056".
    np.random.seed(1)
    A_prev = np.random.randn(5, 5, 3, 2)
    hparameters = {"stride": 1, "f": 2}
    A, cache = course.pool_forward(put(A_prev), hparameters)
    assert tuple(A.shape) == (5, 4, 2, 2)
    dA = np.random.randn(5, 4, 2, 2)
    assert float(np.mean(dA)) == pytest.approx(0.14571390272918056, rel=1e-12)
    dA_prev1 = course.pool_backward(put(dA), cache, mode="max")
    # printed: dA_prev1[1,1] = [[0. 0.] [5.05844394 -1.68282702] [0. 0.]]
    assert_close(
        dA_prev1[1, 1, ...], np.asarray([[0, 0], [5.05844394, -1.68282702], [0, 0]]), **PRINTED
    )
    dA_prev2 = course.pool_backward(put(dA), cache, mode="average")
    # printed: dA_prev2[1,1] = [[0.08485462 0.2787552] [1.26461098 -0.25749373]
    #  [1.17975636 -0.53624893]]
    expected = [[0.08485462, 0.2787552], [1.26461098, -0.25749373], [1.17975636, -0.53624893]]
    assert_close(dA_prev2[1, 1, ...], np.asarray(expected), **PRINTED)
    assert tuple(dA_prev1.shape) == tuple(dA_prev2.shape) == (5, 5, 3, 2)


# -- refusals --------------------------------------------------------------------------


def test_conv_forward_refuses_shapes_the_course_does_not_state(backend, put):
    A_prev, W, b = (
        put(np.ones((2, 5, 5, 3))),
        put(np.ones((3, 3, 3, 4))),
        put(np.ones((1, 1, 1, 4))),
    )
    hp = {"pad": 0, "stride": 1}
    with pytest.raises(
        ValueError, match=r"Invalid W\. Expected .*n_C_prev.*Received: W of shape \(3, 3, 2, 4\)"
    ):
        course.conv_forward(A_prev, put(np.ones((3, 3, 2, 4))), b, hp)
    with pytest.raises(ValueError, match=r"Invalid W\..*Received: W of shape \(3, 2, 3, 4\)"):
        course.conv_forward(A_prev, put(np.ones((3, 2, 3, 4))), b, hp)
    with pytest.raises(ValueError, match=r"Invalid b\..*Received: b of shape \(4,\)"):
        course.conv_forward(A_prev, W, put(np.ones(4)), hp)
    with pytest.raises(
        ValueError, match=r"Invalid A_prev\..*Received: A_prev of shape \(5, 5, 3\)"
    ):
        course.conv_forward(put(np.ones((5, 5, 3))), W, b, hp)
    with pytest.raises(ValueError, match=r"Invalid stride"):
        course.conv_forward(A_prev, W, b, {"pad": 0, "stride": 0})
    with pytest.raises(ValueError, match=r"Invalid pad"):
        course.conv_forward(A_prev, W, b, {"pad": -1, "stride": 1})
    with pytest.raises((TypeError, ValueError), match=r"Invalid hparameters.*pad"):
        course.conv_forward(A_prev, W, b, {"stride": 1})
    with pytest.raises(ValueError, match=r"Invalid A_prev\. Expected images of at least 7×7"):
        course.conv_forward(A_prev, put(np.ones((7, 7, 3, 4))), b, hp)


def test_pool_functions_refuse_bad_input(backend, put):
    A_prev = put(np.ones((2, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"Invalid mode\. Expected one of \['average', 'max'\]"):
        course.pool_forward(A_prev, {"f": 2, "stride": 2}, mode="min")
    _, cache = course.pool_forward(A_prev, {"f": 2, "stride": 2})
    with pytest.raises(
        ValueError, match=r"Invalid dA\..*\(2, 2, 2, 3\).*Received: dA of shape \(2, 3, 2, 3\)"
    ):
        course.pool_backward(put(np.ones((2, 3, 2, 3))), cache)
    with pytest.raises(TypeError, match=r"Invalid cache"):
        course.pool_backward(put(np.ones((2, 2, 2, 3))), [A_prev])
    with pytest.raises(ValueError, match=r"Invalid x\."):
        course.create_mask_from_window(put(np.ones(3)))
    with pytest.raises(ValueError, match=r"Invalid shape"):
        course.distribute_value(1.0, 4)


def cnn_mixed_calls(t):
    """Calls with NumPy arrays and arrays of ``t``'s library mixed."""
    rng = np.random.RandomState(0)
    A_prev, W, b = rng.randn(2, 5, 5, 3), rng.randn(3, 3, 3, 4), rng.randn(1, 1, 1, 4)
    hp, pool = {"pad": 1, "stride": 1}, {"f": 2, "stride": 1}
    Z, cache = course.conv_forward(A_prev, W, b, hp)
    A, pool_cache = course.pool_forward(A_prev, pool)
    return {
        "conv_single_step": lambda: course.conv_single_step(
            A_prev[0, :3, :3], t(W[..., 0]), b[0, :, :, :1]
        ),
        "conv_forward": lambda: course.conv_forward(A_prev, W, t(b), hp),
        "conv_backward": lambda: course.conv_backward(t(Z), cache),
        "pool_backward": lambda: course.pool_backward(t(A), pool_cache),
    }


@pytest.mark.parametrize("case", list(cnn_mixed_calls(np.asarray)))
def test_arrays_of_two_libraries_are_refused_before_any_arithmetic(case):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"Expected arrays from one array library"):
        cnn_mixed_calls(torch.asarray)[case]()
