"""The course's functions against the course's equations, and its published results.

Each function of :mod:`xpnet.course` wraps the engine; here the course's equations are
written out on the host, in NumPy, as the notebooks write them, and each function is
compared with them on every backend (the gradients are also checked against finite
differences, in tests/test_layers.py). Then the shapes the course states are checked.

The planar run (n_h = 4, rate 1.2, 10,000 steps) is deterministic for about 7,000
steps and chaotic after 7,500: there the step size amplifies last-bit rounding
differences (BLAS kernels, SIMD paths, summation order) until the final parameters
differ by 10–30% between machines and libraries. So the trajectory is compared
exactly over the first 7,000 steps, against the course's own loop written out here on
the host, and the end of the run against the band the course itself shows:
90.5–90.75% and a cost at 9,000 in [0.2185, 0.21865] (``../shared/COURSE-RESULTS.md``).
"""

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import course, gradcheck
from xpnet.datasets import make_planar
from xpnet.network import Network

#: The costs the course prints every 1,000 iterations, up to 7,000.
COURSE_COSTS = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504]


def course_planar_loop(X, Y, iterations):
    """The course's week-3 notebook, line for line, in NumPy on the host."""
    np.random.seed(2)
    W1 = np.random.randn(4, 2) * 0.01
    b1 = np.zeros((4, 1))
    W2 = np.random.randn(1, 4) * 0.01
    b2 = np.zeros((1, 1))
    m = X.shape[1]
    for _ in range(iterations):
        Z1 = np.dot(W1, X) + b1
        A1 = np.tanh(Z1)
        Z2 = np.dot(W2, A1) + b2
        A2 = 1 / (1 + np.exp(-Z2))
        dZ2 = A2 - Y
        dW2 = (1 / m) * np.dot(dZ2, A1.T)
        db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
        dW1 = (1 / m) * np.dot(dZ1, X.T)
        db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
        W1, b1 = W1 - 1.2 * dW1, b1 - 1.2 * db1
        W2, b2 = W2 - 1.2 * dW2, b2 - 1.2 * db2
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


@pytest.fixture(scope="module")
def course_7000():
    X, y = make_planar()
    return course_planar_loop(X.T, y.reshape(1, -1), 7000)


@pytest.mark.long
def test_planar_follows_the_course_for_7000_steps(backend, float64, course_7000):
    """Deterministic span: every backend equals the course's own loop to 1e-9."""
    X, y = make_planar()
    model = xpnet.TwoLayerNet(**{**xpnet.recipes.PLANAR, "num_iterations": 7000}).fit(X, y)
    for name, value in course_7000.items():
        got = xpnet.to_numpy(model.parameters_[name])
        assert np.linalg.norm(got - value) <= 1e-9 * np.linalg.norm(value), name
    # The cost is recorded before each step: the one after step 7,000 is computed here.
    network = Network.dense(2, "tanh")
    ZL, _ = network.forward(xpnet.asarray(X.T), model.parameters_)
    final = float(network.cost(ZL, xpnet.asarray(y.reshape(1, -1) * 1.0), model.parameters_))
    costs = [c for i, c in zip(model.cost_iterations_, model.costs_, strict=True) if i % 1000 == 0]
    np.testing.assert_allclose([*costs, final], COURSE_COSTS, atol=1e-6)


@pytest.mark.long
def test_planar_ends_in_the_courses_band(backend, float64):
    """Chaotic span: 90.5–90.75% and a cost at 9,000 in [0.2185, 0.21865], any machine."""
    X, y = make_planar()
    model = xpnet.TwoLayerNet(**xpnet.recipes.PLANAR).fit(X, y)
    assert model.score(X, y) in (0.905, 0.9075)
    assert 0.2185 <= dict(zip(model.cost_iterations_, model.costs_, strict=True))[9000] <= 0.21865


# -- the course's equations, written out on the host ------------------------------------

G = {  # g and g'(Z) through A = g(Z)
    "tanh": (np.tanh, lambda A: 1 - A**2),
    "relu": (lambda Z: np.maximum(Z, 0), lambda A: (A > 0) * 1.0),
    "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)), lambda A: A * (1 - A)),
}


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def reference_cost(AL, Y):
    """J = −1/m · Σ (Y·log A + (1 − Y)·log(1 − A))."""
    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / Y.shape[1]


def reference_propagate(w, b, X, Y):
    """Week 2, as the notebook writes it."""
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    dw = X @ (A - Y).T / m
    db = np.sum(A - Y, axis=1, keepdims=True) / m
    return {"dw": dw, "db": db}, reference_cost(A, Y)


def reference_forward_propagation(X, p, g):
    """Week 3's forward pass."""
    Z1 = p["W1"] @ X + p["b1"]
    A1 = G[g][0](Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = sigmoid(Z2)
    return A2, {"A1": A1, "Z2": Z2, "A2": A2}


def reference_backward_propagation(p, cache, X, Y, g):
    """Week 3's backward pass, equation by equation."""
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (p["W2"].T @ dZ2) * G[g][1](A1)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def reference_L_model(X, Y, p, g):
    """Week 4: [LINEAR → g] × (L − 1) → LINEAR → sigmoid, forward then back."""
    L, m = len(p) // 2, X.shape[1]
    A = [X]
    for l in range(1, L):  # noqa: E741
        A.append(G[g][0](p[f"W{l}"] @ A[-1] + p[f"b{l}"]))
    A.append(sigmoid(p[f"W{L}"] @ A[-1] + p[f"b{L}"]))
    grads, dZ = {}, A[L] - Y
    for l in reversed(range(1, L + 1)):  # noqa: E741
        grads[f"dW{l}"] = dZ @ A[l - 1].T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dZ = (p[f"W{l}"].T @ dZ) * G[g][1](A[l - 1])
    return A[L], grads


def problem(n_x=3, m=11, dims=(4, 1), seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) > 0.5) * 1.0
    sizes = [n_x, *dims]
    p = {}
    for l in range(1, len(sizes)):  # noqa: E741
        p[f"W{l}"] = rng.randn(sizes[l], sizes[l - 1]) * 0.7
        p[f"b{l}"] = rng.randn(sizes[l], 1) * 0.1
    return X, Y, p


def on(put, d):
    return {k: put(v) for k, v in d.items()}


def test_propagate_is_the_courses(backend, put, float64):
    X, Y, p = problem(n_x=4, dims=(1,))
    w, b = p["W1"].T, p["b1"]
    expected, expected_cost = reference_propagate(w, b, X, Y)
    grads, cost = course.propagate(put(w), put(b), put(X), put(Y))
    for k in ("dw", "db"):
        assert_close(grads[k], expected[k], rtol=1e-12, atol=1e-15)
    assert float(cost) == pytest.approx(expected_cost, rel=1e-12)


@pytest.mark.parametrize("g", ["tanh", "relu", "sigmoid"])
def test_the_week_3_functions_are_the_courses(backend, put, float64, g):
    X, Y, p = problem(n_x=2, dims=(5, 1), seed=1)
    A2_expected, cache_expected = reference_forward_propagation(X, p, g)
    A2, cache = course.forward_propagation(put(X), on(put, p), g)
    assert_close(A2, A2_expected, rtol=1e-12)
    assert set(cache) == {"A1", "Z2", "A2"}
    for k in cache:
        assert_close(cache[k], cache_expected[k], rtol=1e-12, atol=1e-15)
    expected = reference_backward_propagation(p, cache_expected, X, Y, g)
    grads = course.backward_propagation(on(put, p), cache, put(X), put(Y), g)
    assert set(grads) == set(expected)
    for k, v in expected.items():
        assert_close(grads[k], v, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("g", ["relu", "tanh"])
def test_the_week_4_functions_are_the_courses(backend, put, float64, g):
    X, Y, p = problem(n_x=3, dims=(5, 4, 1), seed=2)
    AL_expected, expected = reference_L_model(X, Y, p, g)
    AL, caches = course.L_model_forward(put(X), on(put, p), g)
    assert len(caches) == 3
    assert_close(AL, AL_expected, rtol=1e-12)
    grads = course.L_model_backward(AL, put(Y), caches, g)
    assert set(grads) == set(expected)
    for k, v in expected.items():
        assert_close(grads[k], v, rtol=1e-12, atol=1e-15)
    cost = course.compute_cost(caches[-1].Z, put(Y))
    assert float(cost) == pytest.approx(reference_cost(AL_expected, Y), rel=1e-12)


def test_the_week_4_gradients_pass_the_gradient_check(backend, put, float64):
    """Centred finite differences of the course's J, in float64, on every backend."""
    X, Y, p = problem(n_x=3, m=6, dims=(4, 3, 1), seed=3)
    parameters = on(put, p)
    AL, caches = course.L_model_forward(put(X), parameters, "tanh")
    grads = course.L_model_backward(AL, put(Y), caches, "tanh")

    def cost(params):
        return course.compute_cost(course.L_model_forward(put(X), params, "tanh")[1][-1].Z, put(Y))

    assert gradcheck.gradient_check(cost, parameters, grads) < 1e-7
    wrong = {**grads, "db2": grads["db2"] * 1.05}
    assert gradcheck.gradient_check(cost, parameters, wrong) > 1e-5


# -- the shapes the course states -------------------------------------------------------


def bad_calls(put):
    X, Y, p = problem(n_x=3, m=20, dims=(4, 1), seed=4)
    X, Y, p = put(X), put(Y), on(put, p)
    w, b = put(np.zeros((3, 1))), put(np.zeros((1, 1)))
    grads = {"d" + k: v for k, v in p.items()}
    no_b2 = {k: v for k, v in p.items() if k != "b2"}
    AL, caches = course.L_model_forward(X, p)
    return {
        "Y of shape (m, 1)": (
            lambda: course.propagate(w, b, X, Y.T),
            r"Invalid Y\. Expected A = σ\(wᵀ·X \+ b\) and Y of one shape \(n_y, m\).*"
            r"Received A = σ\(wᵀ·X \+ b\) of shape \(1, 20\) and Y of shape \(20, 1\)",
        ),
        "w of the wrong n_x": (
            lambda: course.propagate(put(np.zeros((4, 1))), b, X, Y),
            r"Invalid w\. Expected an array of shape \(n_x, n_y\) = \(3, n_y\)\. "
            r"Received: w of shape \(4, 1\)",
        ),
        "a 1-D X": (
            lambda: course.L_model_forward(X[0, :], p),
            r"Invalid X\. Expected an array of shape \(n_x, m\)\. Received: X of shape \(20,\).*"
            r"x\.reshape\(-1, 1\)",
        ),
        "no b2, week 4": (
            lambda: course.L_model_forward(X, no_b2),
            r"Invalid parameters\. Expected the keys W1, b1, W2, b2\. .*without 'b2'",
        ),
        "no b2, week 3": (
            lambda: course.forward_propagation(X, no_b2),
            r"Invalid parameters\. .*without 'b2'",
        ),
        "W1 not of X's n_x": (
            lambda: course.L_model_forward(X[:2, :], p),
            r"Invalid parameters\['W1'\]\. Expected an array of shape \(n_1, n_x\) = \(n_1, 2\)",
        ),
        "labels (m, 1) in week 4": (
            lambda: course.L_model_backward(AL, Y.T, caches),
            r"Invalid Y\. Expected AL and Y of one shape",
        ),
        "a mini-batch size of 0": (
            lambda: course.random_mini_batches(X, Y, 0),
            r"Invalid mini_batch_size\. Expected an int in the range \[1, inf\)\. Received: mini_batch_size=0",
        ),
        "a mini-batch size of −1": (
            lambda: course.random_mini_batches(X, Y, -1),
            r"Invalid mini_batch_size\. .*Received: mini_batch_size=-1",
        ),
        "a layer of 2.7 units": (
            lambda: course.initialize_parameters([3, 2.7]),
            r"Invalid layer_dims\[1\]\. Expected an int in the range \[1, inf\)\. Received: layer_dims\[1\]=2\.7",
        ),
        "Adam at t = 0": (
            lambda: course.update_parameters_with_adam(p, grads, *course.initialize_adam(p), 0),
            r"Invalid t\. Expected an int in the range \[1, inf\)\. Received: t=0",
        ),
        "grads without dW2": (
            lambda: course.update_parameters(
                p, {k: v for k, v in grads.items() if k != "dW2"}, 0.1
            ),
            r"Invalid grads\. Expected the keys dW1, db1, dW2, db2\. .*without 'dW2'",
        ),
        "the cost of an empty batch": (
            lambda: course.compute_cost(AL[:, :0], Y[:, :0]),
            r"Invalid Y\. Expected at least one example \(m ≥ 1\)",
        ),
        "keep_prob = 0": (
            lambda: Network.dense(3, keep_prob=0),
            r"Invalid keep_prob\. Expected a float in the range \(0, 1\]\. Received: keep_prob=0",
        ),
    }


BAD_CALLS = list(bad_calls(np.asarray))  # host arrays: the names of the cases


@pytest.mark.parametrize("case", BAD_CALLS)
def test_the_course_functions_refuse_what_the_course_does_not_state(backend, put, case):
    """A clear ValueError, in the course's words, where NumPy would broadcast or warn."""
    call, message = bad_calls(put)[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_a_seed_or_size_of_another_type_is_a_type_error():
    X, Y = np.zeros((2, 5)), np.zeros((1, 5))
    with pytest.raises(
        TypeError, match=r"Invalid mini_batch_size\. .*Received: mini_batch_size='4'"
    ):
        course.random_mini_batches(X, Y, "4")
    with pytest.raises(TypeError, match=r"Invalid layer_dims\[0\]"):
        course.initialize_parameters([None, 1])


# -- arrays of two libraries, and the values the course states ----------------------------

ONE_LIBRARY = r"Expected arrays from one array library\. Received arrays from \['numpy', 'torch'\]"


def mixed_calls(t):
    """Calls with NumPy arrays and arrays of ``t``'s library mixed."""
    X, Y, p = problem(n_x=3, m=8, dims=(4, 1), seed=5)
    mixed = {**p, "W2": t(p["W2"])}
    AL, caches = course.L_model_forward(X, p)
    grads = {"d" + k: t(v) for k, v in p.items()}
    return {
        "parameters of another library": lambda: course.L_model_forward(X, on(t, p)),
        "a dict of two libraries": lambda: course.L_model_forward(X, mixed),
        "week 3 forward": lambda: course.forward_propagation(X, mixed),
        "week 3 backward": lambda: course.backward_propagation(
            p, {"A1": t(caches[0].A), "A2": AL}, X, Y
        ),
        "the cost": lambda: course.compute_cost(t(caches[-1].Z), Y),
        "mini-batches": lambda: course.random_mini_batches(X, t(Y)),
        "week 4 backward": lambda: course.L_model_backward(AL, t(Y), caches),
        "week 2": lambda: course.propagate(t(p["W1"][:1].T), p["b2"], X, Y),
        "an update": lambda: course.update_parameters(p, grads, 0.1),
    }


@pytest.mark.parametrize("case", list(mixed_calls(np.asarray)))
def test_arrays_of_two_libraries_are_refused_before_any_arithmetic(case):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=ONE_LIBRARY):
        mixed_calls(torch.asarray)[case]()


def test_arrays_on_two_devices_are_refused_before_any_arithmetic():
    strict = pytest.importorskip("array_api_strict")
    _, Y, _ = problem(n_x=3, m=8, dims=(4, 1), seed=5)
    Z = strict.asarray(Y * 2 - 1, device=strict.Device("device1"))
    with pytest.raises(ValueError, match=r"Expected arrays on one device"):
        course.compute_cost(Z, strict.asarray(Y))


def bad_values(put):
    X, Y, p = problem(n_x=3, m=20, dims=(4, 1), seed=4)
    X, Y, p = put(X), put(Y), on(put, p)
    grads = {"d" + k: v for k, v in p.items()}
    flat_db1 = {**grads, "db1": grads["db1"][:, 0]}
    v, s = course.initialize_adam(p)
    AL, caches = course.L_model_forward(X, p)
    _, cache = course.forward_propagation(X, p)
    three = put(np.asarray([[0.0, 1.0, 3.0]]))
    return {
        "a gradient of shape (4,) for b1": (
            lambda: course.update_parameters(p, flat_db1, 0.1),
            r"Invalid grads\['db1'\]\. Expected an array of shape \(4, 1\)\. "
            r"Received: grads\['db1'\] of shape \(4,\)",
        ),
        "momentum's v of the wrong shape": (
            lambda: course.update_parameters_with_momentum(
                p, grads, {**v, "dW1": v["dW1"].T}, 0.9, 0.1
            ),
            r"Invalid v\['dW1'\]\. Expected an array of shape \(4, 3\)",
        ),
        "Adam's s of the wrong shape": (
            lambda: course.update_parameters_with_adam(p, grads, v, {**s, "db2": s["db1"]}, 1),
            r"Invalid s\['db2'\]\. Expected an array of shape \(1, 1\)",
        ),
        "a NaN learning rate": (
            lambda: course.update_parameters(p, grads, float("nan")),
            r"Invalid learning_rate\. Expected a float in the range \(0, inf\)\. Received: learning_rate=nan",
        ),
        "a negative learning rate": (
            lambda: course.update_parameters_with_momentum(p, grads, v, 0.9, -0.1),
            r"Invalid learning_rate\. .*Received: learning_rate=-0\.1",
        ),
        "momentum's beta = 5": (
            lambda: course.update_parameters_with_momentum(p, grads, v, 5, 0.1),
            r"Invalid beta\. Expected a float in the range \[0, 1\)\. Received: beta=5",
        ),
        "Adam's beta1 = 1": (
            lambda: course.update_parameters_with_adam(p, grads, v, s, 1, beta1=1),
            r"Invalid beta1\. Expected a float in the range \[0, 1\)\. Received: beta1=1",
        ),
        "Adam's beta2 = -0.1": (
            lambda: course.update_parameters_with_adam(p, grads, v, s, 1, beta2=-0.1),
            r"Invalid beta2\. .*Received: beta2=-0\.1",
        ),
        "Adam's epsilon = 0": (
            lambda: course.update_parameters_with_adam(p, grads, v, s, 1, epsilon=0),
            r"Invalid epsilon\. Expected a float in the range \(0, inf\)\. Received: epsilon=0",
        ),
        "Adam's epsilon = -1": (
            lambda: course.update_parameters_with_adam(p, grads, v, s, 1, epsilon=-1),
            r"Invalid epsilon\. .*Received: epsilon=-1",
        ),
        "a negative epoch": (
            lambda: course.update_lr(0.1, -1),
            r"Invalid epoch_num\. Expected an int in the range \[0, inf\)\. Received: epoch_num=-1",
        ),
        "a negative decay rate": (
            lambda: course.update_lr(0.1, 1, -1.0),
            r"Invalid decay_rate\. Expected a float in the range \[0, inf\)\. Received: decay_rate=-1\.0",
        ),
        "a time interval of 0": (
            lambda: course.schedule_lr_decay(0.1, 1, 1.0, 0),
            r"Invalid time_interval\. Expected an int in the range \[1, inf\)\. Received: time_interval=0",
        ),
        "an exponential decay above 1": (
            lambda: course.exponential_decay(0.1, 1, 1.5),
            r"Invalid decay_rate\. Expected a float in the range \(0, 1\]\. Received: decay_rate=1\.5",
        ),
        "an exponential decay at a negative epoch": (
            lambda: course.exponential_decay(0.1, -2),
            r"Invalid epoch_num\. .*Received: epoch_num=-2",
        ),
        "no caches": (
            lambda: course.L_model_backward(AL, Y, []),
            r"Invalid caches\. Expected a non-empty list of the caches of L_model_forward\. "
            r"Received: caches=\[\]",
        ),
        "junk caches": (
            lambda: course.L_model_backward(AL, Y, [1, 2]),
            r"Invalid caches\. Expected a non-empty list of the caches of L_model_forward\. "
            r"Received: caches=\[1, 2\]",
        ),
        "AL of another m": (
            lambda: course.L_model_backward(AL[:, :5], Y[:, :5], caches),
            r"Invalid AL\. Expected an array of shape \(n_L, m\) = \(1, 20\)\. "
            r"Received: AL of shape \(1, 5\)",
        ),
        "a week-3 cache of another m": (
            lambda: course.backward_propagation(p, {**cache, "A1": cache["A1"][:, :5]}, X, Y),
            r"Invalid cache\['A1'\]\. Expected an array of shape \(n_1, m\) = \(4, 20\)\. "
            r"Received: cache\['A1'\] of shape \(4, 5\)",
        ),
        "labels of 3, week 4 cost": (
            lambda: course.compute_cost(put(np.zeros((1, 3))), three),
            r"Invalid Y\. Expected labels 0 or 1",
        ),
        "labels of -1, week 4 backward": (
            lambda: course.L_model_backward(AL, Y - 2 * Y, caches),
            r"Invalid Y\. Expected labels 0 or 1",
        ),
        "labels of 2, week 2": (
            lambda: course.propagate(put(np.zeros((3, 1))), put(np.zeros((1, 1))), X, Y * 2),
            r"Invalid Y\. Expected labels 0 or 1",
        ),
        "labels of 2, week 3": (
            lambda: course.backward_propagation(p, cache, X, Y * 2),
            r"Invalid Y\. Expected labels 0 or 1",
        ),
        "a softmax of one row": (
            lambda: course.compute_cost(put(np.zeros((1, 3))), put(np.ones((1, 3))), "softmax"),
            r"Invalid output\. Expected 'sigmoid' for one output unit.*"
            r"Received: output='softmax'",
        ),
    }


BAD_VALUES = list(bad_values(np.asarray))


@pytest.mark.parametrize("case", BAD_VALUES)
def test_the_course_functions_refuse_values_the_course_does_not_state(backend, put, case):
    """A ValueError in the course's words where the update would broadcast, divide by
    zero, or a cost would take labels it has no meaning for."""
    call, message = bad_values(put)[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_a_learning_rate_of_another_type_is_a_type_error():
    _, _, p = problem()
    grads = {"d" + k: v for k, v in p.items()}
    with pytest.raises(TypeError, match=r"Invalid learning_rate\. .*Received: learning_rate='a'"):
        course.update_parameters(p, grads, "a")


def test_real_labels_stay_allowed_with_an_identity_output(backend, put, float64):
    """A regression head takes any numbers as labels; the 0/1 check is for σ and softmax."""
    X, _, p = problem(n_x=3, m=6, dims=(4, 1), seed=6)
    Y = np.random.RandomState(0).randn(1, 6)
    Z = put(Y * 0.5)
    expected = np.sum((Y * 0.5 - Y) ** 2) / (2 * 6)
    assert float(course.compute_cost(Z, put(Y), "identity")) == pytest.approx(expected)
    AL, caches = course.L_model_forward(put(X), on(put, p), output="identity")
    grads = course.L_model_backward(AL, put(Y), caches)
    assert set(grads) == {"dW1", "db1", "dW2", "db2"}


def test_integer_inputs_compute_as_their_floats_on_every_backend(backend, xp):
    """Images and labels are often stored as integers: each backend reads them as the
    same floats (torch and array-api-strict refuse to mix them with floats)."""
    host = np.array([[0, 1, 2, 3], [2, 0, 1, 3]])
    X, X_float = (xpnet.asarray(host, dtype=d) for d in ("int64", None))
    Y = xpnet.asarray(np.array([[0, 1, 1, 0]]), dtype="int64")
    P = course.initialize_parameters([2, 3, 1], random_state=0)
    assert_close(course.L_model_forward(X, P)[0], course.L_model_forward(X_float, P)[0])
    A2, cache = course.forward_propagation(X, P)
    assert A2.dtype == backend.dtype
    for name, d in course.backward_propagation(P, cache, X, Y).items():
        assert_close(d, course.backward_propagation(P, cache, X_float, Y)[name])
    w, b = P["W1"][:1, :].T, P["b1"][:1, :]
    grads, cost = course.propagate(w, b, X, Y)
    for name, d in grads.items():
        assert_close(d, course.propagate(w, b, X_float, Y)[0][name])
    assert_close(cost, course.propagate(w, b, X_float, Y)[1])
    Z = xpnet.asarray(np.array([[1, -2, 3, 0]]), dtype="int64")
    assert_close(
        course.compute_cost(Z, Y), course.compute_cost(xpnet.asarray([[1.0, -2, 3, 0]]), Y)
    )
