"""The course's fifth part, week 1: its recurrent networks and language model, exactly.

The expected values are the course's own, copied from its newest public notebooks and
tests, with their inputs drawn as the notebooks draw them (``np.random.seed`` then
``randn`` in the notebook's order). Sources, in the public repository
amanchadha/coursera-deep-learning-specialization, folder "C5 - Sequence Models/Week 1":

- STEP: "Building a Recurrent Neural Network - Step by Step/
  Building_a_Recurrent_Neural_Network_Step_by_Step.ipynb" (its "Expected Output" cells;
  the backward values are the corrected ones of this newest version);
- TESTS: "Building a Recurrent Neural Network - Step by Step/public_tests.py";
- DINO: "Dinosaur Island -- Character-level language model/
  Dinosaurus_Island_Character_level_language_model.ipynb" (clip, sample, optimize).

Each value is compared at the precision the course printed it (half a unit of its last
digit), and never looser than 1e-12 relative where it printed 16 digits; every output
is also compared, whole, with NumPy's to 1e-12 on each float64 backend.
"""

import numpy as np
import pytest

import xpnet
from xpnet import course

ATOL_FLOOR = 1e-12


def printed(actual, text, *, truncated=False):
    """``actual`` equals the course's printed ``text`` to the digits it printed: within
    half a unit of the last digit (a whole unit where the course ``truncated`` them)."""
    words = text.replace("[", " ").replace("]", " ").replace(",", " ").split()
    values = np.array([float(v) for v in words])
    decimals = np.array([len(v.split(".")[1]) if "." in v else 0 for v in words])
    unit = (1.0 if truncated else 0.5) * 10.0**-decimals
    tolerance = np.maximum(unit, ATOL_FLOOR * np.abs(values))
    got = np.asarray(xpnet.to_numpy(actual), dtype=np.float64).reshape(-1)
    assert got.shape == values.shape, (got.shape, values.shape)
    assert np.all(np.abs(got - values) <= tolerance), (got, values)


@pytest.fixture
def on(backend, float64):
    """Host float64 arrays (a dict, list or array) → the backend under test, in float64."""

    def put(obj):
        if isinstance(obj, dict):
            return {k: backend.put(v, float64) for k, v in obj.items()}
        return backend.put(obj, float64)

    return put


def rnn_parameters(n_a, n_x, n_y, order=("Waa", "Wax", "Wya", "ba", "by")):
    shapes = {"Waa": (n_a, n_a), "Wax": (n_a, n_x), "Wya": (n_y, n_a), "ba": (n_a, 1), "by": (n_y, 1)}
    return {name: np.random.randn(*shapes[name]) for name in order}


def lstm_parameters(n_a, n_x, n_y, zero_output=False):
    p = {}
    for g in ("f", "i", "o", "c"):  # the notebooks' order of draws
        p["W" + g] = np.random.randn(n_a, n_a + n_x)
        p["b" + g] = np.random.randn(n_a, 1)
    if zero_output:
        p["Wy"], p["by"] = np.zeros((n_y, n_a)), np.zeros((n_y, 1))
    else:
        p["Wy"], p["by"] = np.random.randn(n_y, n_a), np.random.randn(n_y, 1)
    return p


def host(*arrays):
    return [xpnet.to_numpy(a) for a in arrays]


def same_as_numpy(function, args_host, on, rtol=1e-12):
    """``function`` on the backend equals ``function`` on NumPy, every output, to ``rtol``."""
    expected = function(*args_host)
    actual = function(*[on(a) if isinstance(a, dict | np.ndarray) else a for a in args_host])

    def flat(x):
        if isinstance(x, dict):
            return [v for k in sorted(x) for v in flat(x[k])]
        if isinstance(x, tuple | list):
            return [v for item in x for v in flat(item)]
        return [x]

    for e, a in zip(flat(expected), flat(actual), strict=True):
        np.testing.assert_allclose(xpnet.to_numpy(a), xpnet.to_numpy(e), rtol=rtol, atol=1e-300)
    return actual


# -- forward ----------------------------------------------------------------------------


def test_rnn_cell_forward(on):
    np.random.seed(1)  # STEP, rnn_cell_forward
    xt, a_prev = np.random.randn(3, 10), np.random.randn(5, 10)
    parameters = rnn_parameters(5, 3, 2)
    a_next, yt_pred, cache = same_as_numpy(course.rnn_cell_forward, [xt, a_prev, parameters], on)
    printed(a_next[4, :], "[ 0.59584544  0.18141802  0.61311866  0.99808218  0.85016201  0.99980978 -0.18887155  0.99815551  0.6531151   0.82872037]")
    printed(yt_pred[1, :], "[ 0.9888161   0.01682021  0.21140899  0.36817467  0.98988387  0.88945212 0.36920224  0.9966312   0.9982559   0.17746526]")
    assert a_next.shape == (5, 10) and yt_pred.shape == (2, 10)
    assert len(cache) == 4 and cache[2].shape == (3, 10) and len(cache[3]) == 5


def test_rnn_forward(on):
    np.random.seed(1)  # STEP, rnn_forward
    x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
    parameters = rnn_parameters(5, 3, 2)
    a, y_pred, caches = same_as_numpy(course.rnn_forward, [x, a0, parameters], on)
    printed(a[4, 1, :], "[-0.99999375  0.77911235 -0.99861469 -0.99833267]")
    printed(y_pred[1, 3, :], "[ 0.79560373  0.86224861  0.11118257  0.81515947]")
    printed(caches[1][1, 3, :], "[-1.1425182  -0.34934272 -0.20889423  0.58662319]")
    assert a.shape == (5, 10, 4) and y_pred.shape == (2, 10, 4)
    assert len(caches) == 2 and len(caches[0]) == 4


def test_rnn_forward_public_test(on):
    np.random.seed(17)  # TESTS, rnn_forward_test
    x, a0 = np.random.randn(4, 8, 13), np.random.randn(7, 8)
    parameters = rnn_parameters(7, 4, 3)
    a, y_pred, _ = same_as_numpy(course.rnn_forward, [x, a0, parameters], on)
    printed(a[5, 2, 2:6], "[0.99999291, 0.99332189, 0.9921928, 0.99503445]", truncated=True)
    got = xpnet.to_numpy(y_pred[2, 1, 1:5])
    np.testing.assert_allclose(got, [0.19428, 0.14292, 0.24993, 0.00119], atol=1e-4)


def test_lstm_cell_forward(on):
    np.random.seed(1)  # STEP, lstm_cell_forward
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    parameters = lstm_parameters(5, 3, 2)
    a_next, c_next, yt, cache = same_as_numpy(
        course.lstm_cell_forward, [xt, a_prev, c_prev, parameters], on
    )
    printed(a_next[4, :], "[-0.66408471  0.0036921   0.02088357  0.22834167 -0.85575339  0.00138482 0.76566531  0.34631421 -0.00215674  0.43827275]")
    printed(c_next[2, :], "[ 0.63267805  1.00570849  0.35504474  0.20690913 -1.64566718  0.11832942 0.76449811 -0.0981561  -0.74348425 -0.26810932]")
    printed(yt[1, :], "[ 0.79913913  0.15986619  0.22412122  0.15606108  0.97057211  0.31146381 0.00943007  0.12666353  0.39380172  0.07828381]")
    printed(cache[1][3, :], "[-0.16263996  1.03729328  0.72938082 -0.54101719  0.02752074 -0.30821874 0.07651101 -1.03752894  1.41219977 -0.37647422]")
    assert len(cache) == 10


def test_lstm_cell_forward_public_test(on):
    np.random.seed(212)  # TESTS, lstm_cell_forward_test
    x, a0, c0 = np.random.randn(4, 8), np.random.randn(7, 8), np.random.randn(7, 8)
    parameters = {}
    for g in ("f", "i", "o", "c"):
        parameters["W" + g], parameters["b" + g] = np.random.randn(7, 11), np.random.randn(7, 1)
    parameters["Wy"], parameters["by"] = np.random.randn(3, 7), np.random.randn(3, 1)
    _, _, y_pred, cache = same_as_numpy(course.lstm_cell_forward, [x, a0, c0, parameters], on)
    for i, text in [(4, "0.32969833 0.0574555"), (5, "0.0036446 0.9806943"),
                    (6, "0.99903873 0.57509956"), (1, "0.1352798 0.39884899"),
                    (7, "0.7477249 0.71588751"), (0, "0.10053951 0.27129536")]:  # fmt: skip
        printed(cache[i][0, 0:2], text, truncated=True)
    text = "0.417098 0.449528 0.223159 0.278376 0.68453 0.419221 0.564025 0.538475"
    printed(y_pred[1, :], text, truncated=True)


def test_lstm_forward(on):
    np.random.seed(1)  # STEP, lstm_forward
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    parameters = lstm_parameters(5, 3, 2)
    a, y, c, caches = same_as_numpy(course.lstm_forward, [x, a0, parameters], on)
    printed(a[4, 3, 6], "0.172117767533")
    printed(y[1, 4, 3], "0.95087346185")
    printed(caches[1][1, 1, :], "[ 0.82797464  0.23009474  0.76201118 -0.22232814 -0.20075807  0.18656139 0.41005165]")
    printed(c[1, 2, 1], "-0.855544916718")
    assert a.shape == (5, 10, 7) and y.shape == (2, 10, 7) and len(caches) == 2


def test_lstm_forward_public_test(on):
    np.random.seed(45)  # TESTS, lstm_forward_test
    x, a0 = np.random.randn(4, 13, 16), np.random.randn(3, 13)
    parameters = lstm_parameters(3, 4, 2)
    a, y, c, caches = same_as_numpy(course.lstm_forward, [x, a0, parameters], on)
    printed(a[2, 1, 4:6], "-0.01606022  0.0243569", truncated=True)
    printed(c[2, 1, 4:6], "-0.02753855  0.05668358", truncated=True)
    printed(y[1, 1, 4:6], "0.70444592 0.70648935", truncated=True)
    assert len(caches[0]) == 16 and len(caches[0][0]) == 10


# -- backward ---------------------------------------------------------------------------


def test_rnn_cell_backward(on):
    np.random.seed(1)  # STEP, rnn_cell_backward (the forward pass draws nothing)
    xt, a_prev = np.random.randn(3, 10), np.random.randn(5, 10)
    parameters = rnn_parameters(5, 3, 2, order=("Wax", "Waa", "Wya", "ba", "by"))
    da_next = np.random.randn(5, 10)

    def run(xt, a_prev, parameters, da_next):
        return course.rnn_cell_backward(da_next, course.rnn_cell_forward(xt, a_prev, parameters)[2])

    g = same_as_numpy(run, [xt, a_prev, parameters, da_next], on)
    printed(g["dxt"][1, 2], "-1.3872130506")
    printed(g["da_prev"][2, 3], "-0.152399493774")
    printed(g["dWax"][3, 1], "0.410772824935")
    printed(g["dWaa"][1, 2], "1.15034506685")
    printed(g["dba"][4, :], "[ 0.20023491]")
    assert g["dxt"].shape == (3, 10) and g["dWaa"].shape == (5, 5) and g["dba"].shape == (5, 1)


def test_rnn_backward(on):
    np.random.seed(1)  # STEP, rnn_backward
    x, a0 = np.random.randn(3, 10, 4), np.random.randn(5, 10)
    parameters = rnn_parameters(5, 3, 2, order=("Wax", "Waa", "Wya", "ba", "by"))
    da = np.random.randn(5, 10, 4)

    def run(x, a0, parameters, da):
        return course.rnn_backward(da, course.rnn_forward(x, a0, parameters)[2])

    g = same_as_numpy(run, [x, a0, parameters, da], on)
    printed(g["dx"][1, 2, :], "[-2.07101689 -0.59255627  0.02466855  0.01483317]")
    printed(g["da0"][2, 3], "-0.314942375127")
    printed(g["dWax"][3, 1], "11.2641044965")
    printed(g["dWaa"][1, 2], "2.30333312658")
    printed(g["dba"][4, :], "[-0.74747722]")
    assert g["dx"].shape == (3, 10, 4) and g["da0"].shape == (5, 10)


def test_lstm_cell_backward(on):
    np.random.seed(1)  # STEP, lstm_cell_backward
    xt, a_prev, c_prev = np.random.randn(3, 10), np.random.randn(5, 10), np.random.randn(5, 10)
    parameters = lstm_parameters(5, 3, 2)
    da_next, dc_next = np.random.randn(5, 10), np.random.randn(5, 10)

    def run(xt, a_prev, c_prev, parameters, da_next, dc_next):
        cache = course.lstm_cell_forward(xt, a_prev, c_prev, parameters)[3]
        return course.lstm_cell_backward(da_next, dc_next, cache)

    g = same_as_numpy(run, [xt, a_prev, c_prev, parameters, da_next, dc_next], on)
    printed(g["dxt"][1, 2], "3.23055911511")
    printed(g["da_prev"][2, 3], "-0.0639621419711")
    printed(g["dc_prev"][2, 3], "0.797522038797")
    printed(g["dWf"][3, 1], "-0.147954838164")
    printed(g["dWi"][1, 2], "1.05749805523")
    printed(g["dWc"][3, 1], "2.30456216369")
    printed(g["dWo"][1, 2], "0.331311595289")
    printed(g["dbf"][4, :], "[ 0.18864637]")
    printed(g["dbi"][4, :], "[-0.40142491]")
    printed(g["dbc"][4, :], "[ 0.25587763]")
    printed(g["dbo"][4, :], "[ 0.13893342]")
    assert g["dxt"].shape == (3, 10) and g["dWf"].shape == (5, 8) and g["dbo"].shape == (5, 1)


def test_lstm_backward(on):
    """The course runs back over the first 4 of 7 steps: T_x is read from da."""
    np.random.seed(1)  # STEP, lstm_backward
    x, a0 = np.random.randn(3, 10, 7), np.random.randn(5, 10)
    parameters = lstm_parameters(5, 3, 2, zero_output=True)
    da = np.random.randn(5, 10, 4)

    def run(x, a0, parameters, da):
        return course.lstm_backward(da, course.lstm_forward(x, a0, parameters)[3])

    g = same_as_numpy(run, [x, a0, parameters, da], on)
    printed(g["dx"][1, 2, :], "[0.00218254  0.28205375 -0.48292508 -0.43281115]")
    printed(g["da0"][2, 3], "0.312770310257")
    printed(g["dWf"][3, 1], "-0.0809802310938")
    printed(g["dWi"][1, 2], "0.40512433093")
    printed(g["dWc"][3, 1], "-0.0793746735512")
    printed(g["dWo"][1, 2], "0.038948775763")
    printed(g["dbf"][4, :], "[-0.15745657]")
    printed(g["dbi"][4, :], "[-0.50848333]")
    printed(g["dbc"][4, :], "[-0.42510818]")
    printed(g["dbo"][4, :], "[ -0.17958196]")
    assert g["dx"].shape == (3, 10, 4) and g["da0"].shape == (5, 10)


# -- the shapes the course states ---------------------------------------------------------


def test_refuses_shapes_the_course_does_not_state():
    np.random.seed(1)
    parameters = rnn_parameters(5, 3, 2)
    with pytest.raises(ValueError, match=r"Invalid x\. Expected an array of shape \(n_x, m, T_x\)"):
        course.rnn_forward(np.zeros((3, 10)), np.zeros((5, 10)), parameters)
    with pytest.raises(ValueError, match=r"Invalid a0\..*\(n_a, m\) = \(5, 10\)"):
        course.rnn_forward(np.zeros((3, 10, 4)), np.zeros((5, 9)), parameters)
    with pytest.raises(ValueError, match=r"parameters\['Wax'\]"):
        course.rnn_cell_forward(np.zeros((4, 10)), np.zeros((5, 10)), parameters)
    with pytest.raises(ValueError, match="without 'Wf'"):
        course.lstm_forward(np.zeros((3, 10, 4)), np.zeros((5, 10)), parameters)
    lstm = lstm_parameters(5, 3, 2)
    with pytest.raises(ValueError, match=r"n_a \+ n_x"):
        course.lstm_cell_forward(np.zeros((4, 10)), np.zeros((5, 10)), np.zeros((5, 10)), lstm)
    _, _, caches = course.rnn_forward(np.zeros((3, 10, 4)), np.zeros((5, 10)), parameters)
    with pytest.raises(ValueError, match="Invalid da. Expected at most T_x = 4"):
        course.rnn_backward(np.zeros((5, 10, 5)), caches)
