"""SequenceClassifier behind the estimators' contract, on every backend, and the
generated task that an LSTM solves where a dense network on the flattened sequence
cannot.

The recurrent layers' own gradient checks are tests/test_recurrent.py's; here the
classifier's network (the input read as the course's (n_x, m, T_x), one-hot for
tokens, the last hidden state, the head) is checked as a whole.
"""

import pickle

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import SequenceClassifier
from xpnet.datasets import make_marked_xor
from xpnet.datasets.sequences import MARKED_XOR
from xpnet.gradcheck import gradient_check

FAST = {"n_a": 5, "num_iterations": 3, "tol": None, "random_state": 0, "learning_rate": 0.01}


def sequences(n=24, T=6, n_x=3, classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, T, n_x)
    y = (
        (X[:, :, 0].sum(axis=1) > 0).astype(np.int64)
        if classes == 2
        else rng.randint(0, classes, n)
    )
    return X, y


def token_ids(n=24, T=7, n_tokens=5, seed=0):
    rng = np.random.RandomState(seed)
    ids = rng.randint(0, n_tokens, (n, T))
    return ids, ((ids == 1).sum(axis=1) > 1).astype(np.int64)


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_fit_predict_on_every_backend(backend, cell):
    X, y = sequences()
    model = SequenceClassifier(cell=cell, **FAST).fit(X, y)
    proba = model.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (24, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(model.predict(X).tolist()) <= {0, 1} and 0 <= model.score(X, y) <= 1
    assert model.n_features_in_ == 3 and model.n_iter_ == 3
    assert model.backend_.name == backend.name
    on_device = model.predict_proba(backend.put(X))  # backend arrays in, backend arrays out
    assert not isinstance(on_device, np.ndarray) or backend.name == "numpy"
    assert_close(on_device, proba, rtol=1e-5)


def test_parameters_in_the_course_layout():
    X, y = sequences(n_x=3)
    lstm = SequenceClassifier(**FAST).fit(X, y).parameters_
    assert {k: v.shape for k, v in lstm.items()} == {
        **{f"W{g}1": (5, 8) for g in "fico"},  # (n_a, n_a + n_x) on [a⟨t−1⟩; x⟨t⟩]
        **{f"b{g}1": (5, 1) for g in "fico"},
        "W2": (1, 5),
        "b2": (1, 1),
    }
    rnn = SequenceClassifier(cell="rnn", **FAST).fit(X, y).parameters_
    shapes = {"Wax1": (5, 3), "Waa1": (5, 5), "ba1": (5, 1), "W2": (1, 5), "b2": (1, 1)}
    assert {k: v.shape for k, v in rnn.items()} == shapes


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_the_network_against_finite_differences(backend, float64, cell):
    """The whole network, input layout and one-hot included, in float64."""
    for X, y, n_tokens in ((*sequences(n=6, T=4), None), (*token_ids(n=6, T=4), 5)):
        model = SequenceClassifier(cell=cell, n_tokens=n_tokens, dtype="float64", **FAST)
        model.fit(X, y)
        fitted = model.fitted_
        network = model._network(fitted.architecture, l2=0.3)
        rows, *_ = model._input(X, fitted, "float64")
        Y = backend.put(y[None, :].astype(np.float64), float64)
        P = fitted.training.parameters
        grads, _ = network.gradients(rows.T, Y, P, xp=backend.xp)

        def cost(P, network=network, rows=rows, Y=Y):
            return network.cost(network.forward(rows.T, P, xp=backend.xp)[0], Y, P)

        assert gradient_check(cost, P, grads) < 1e-7


def test_token_ids_are_read_one_hot(backend):
    ids, y = token_ids()
    model = SequenceClassifier(n_tokens="auto", **FAST).fit(ids, y)
    assert model.n_features_in_ == 5  # the largest id + 1
    features = np.eye(5)[ids]  # (n, T, 5): the same sequences, one-hot by hand
    twin = SequenceClassifier(**FAST).fit(features, y)
    assert_close(model.predict_proba(ids), twin.predict_proba(features), rtol=1e-5)
    given = SequenceClassifier(n_tokens=9, **FAST).fit(ids, y)
    assert given.n_features_in_ == 9 and given.parameters_["Wf1"].shape == (5, 14)


def test_more_than_two_classes_and_text_labels():
    X, y = sequences(classes=3)
    labels = np.asarray(["ant", "bee", "cat"])[y]
    model = SequenceClassifier(**FAST).fit(X, labels)
    assert model.predict_proba(X).shape == (24, 3) and model.output_activation_ == "softmax"
    assert set(model.predict(X)) <= set(labels.tolist())


def test_a_fitted_model_reads_sequences_of_any_length():
    X, y = sequences(T=6)
    model = SequenceClassifier(**FAST).fit(X, y)
    assert model.predict(sequences(n=5, T=11)[0]).shape == (5,)
    with pytest.raises(
        ValueError, match="X has 4 features, but SequenceClassifier is expecting 3"
    ):
        model.predict(np.zeros((5, 6, 4)))


def test_partial_fit_warm_start_and_early_stopping():
    X, y = sequences(n=40)
    once = SequenceClassifier(**{**FAST, "num_iterations": 4}).fit(X, y)
    twice = SequenceClassifier(**{**FAST, "num_iterations": 2, "warm_start": True})
    twice.fit(X, y).fit(X, y)
    assert twice.epochs_trained_ == 4
    assert_close(twice.predict_proba(X), once.predict_proba(X), rtol=1e-10)
    with pytest.raises(ValueError, match="Invalid warm start of SequenceClassifier.*an LSTM of 5"):
        twice.set_params(cell="rnn").fit(X, y)
    pieces = SequenceClassifier(**FAST)
    pieces.partial_fit(X[:20], y[:20], classes=[0, 1]).partial_fit(X[20:], y[20:])
    assert pieces.epochs_trained_ == 2 and pieces.t_ == 40
    watched = SequenceClassifier(**FAST, early_stopping=True, validation_fraction=0.25)
    scores = watched.fit(X, y).validation_scores_
    assert len(scores) == 3 and watched.best_validation_score_ == max(scores)


def test_sample_weights_count_as_repeated_examples(float64):
    """One full-batch step with weight 2 equals the example given twice."""
    X, y = sequences(n=10)
    step = {**FAST, "num_iterations": 1, "batch_size": None, "optimizer": "gd", "dtype": "float64"}
    weights = np.where(np.arange(10) < 3, 2.0, 1.0)
    weighted = SequenceClassifier(**step).fit(X, y, sample_weight=weights)
    repeated = SequenceClassifier(**step).fit(np.r_[X, X[:3]], np.r_[y, y[:3]])
    for name, P in weighted.parameters_.items():
        assert_close(P, repeated.parameters_[name], rtol=1e-12, atol=1e-15)


def test_pickles_and_model_files_round_trip(tmp_path):
    for X, y, n_tokens in ((*sequences(), None), (*token_ids(), "auto")):
        model = SequenceClassifier(cell="rnn", n_tokens=n_tokens, **FAST).fit(X, y)
        expected = model.predict_proba(X)
        again = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(again.predict_proba(X), expected)
        loaded = xpnet.load(model.save(tmp_path / "m.npz"))
        assert isinstance(loaded, SequenceClassifier)
        np.testing.assert_array_equal(loaded.predict_proba(X), expected)
        header = model.to_state()[0]["architecture"]
        assert header["cell"] == "rnn" and header["tokens"] == (n_tokens is not None)
    with xpnet.use_backend("array_api_strict"):
        assert_close(xpnet.load(tmp_path / "m.npz").predict_proba(X), expected, rtol=1e-12)


def test_the_other_models_files_are_unchanged():
    """The architecture writes its own header entry: a dense network's is as before, so
    files of format 3 keep loading, and no new format version is needed."""
    X, y = sequences()
    dense = xpnet.DeepNet(hidden_layer_sizes=(4,), num_iterations=2).fit(X[:, 0, :], y)
    header = dense.to_state()[0]
    assert header["architecture"] == {"dims": [3, 4, 1], "activation": "relu", "output": "sigmoid"}


def test_a_file_whose_architecture_disagrees_is_refused(tmp_path):
    from xpnet.io import read, write

    X, y = sequences()
    path = SequenceClassifier(**FAST).fit(X, y).save(tmp_path / "m.npz")
    header, arrays = read(path)
    header["architecture"]["cell"] = "rnn"
    write(tmp_path / "bad.npz", header, arrays)
    with pytest.raises(ValueError, match="are not those its hyperparameters describe"):
        xpnet.load(tmp_path / "bad.npz")


def test_jax_compiled_equals_eager():
    pytest.importorskip("jax")
    X, y = sequences(n=16, T=3)
    with xpnet.use_backend("jax", dtype="float64"):
        fits = [
            SequenceClassifier(jit_compile=jit, batch_size=None, **FAST).fit(X, y)
            for jit in (False, True)
        ]
    assert fits[0].loss_curve_ == pytest.approx(fits[1].loss_curve_, rel=1e-12)
    assert_close(fits[1].predict_proba(X), fits[0].predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize(
    "X, params, message",
    [
        ([[[0.0]] * 3, [[0.0]] * 2], {}, r"Expected sequences of one length T: pad .* \[2, 3\]"),
        (np.zeros((4, 6)), {}, r"Expected sequences of shape \(n_samples, T, n_x\).*\(4, 6\)"),
        (np.zeros((4, 6), dtype=int), {}, "token ids. set n_tokens"),
        (np.zeros((4, 6, 2, 1)), {}, r"Received an array of shape \(4, 6, 2, 1\)"),
        (np.zeros((4, 0, 2)), {}, "none of them empty"),
        (np.where(np.eye(4)[:, :, None] > 0, np.nan, 0.0), {}, "Input X contains NaN"),
        (np.full((4, 6), 5), {"n_tokens": 5}, r"token ids in \[0, 5\).*from 5 to 5"),
        (np.full((4, 6), -1), {"n_tokens": "auto"}, r"token ids in \[0, 0\).*from -1 to -1"),
        (np.zeros((4, 6, 1)), {"n_tokens": 3}, r"Expected integer token ids .* \(4, 6, 1\)"),
    ],
)
def test_bad_input_is_refused(backend, X, params, message):
    model = SequenceClassifier(**{**FAST, **params})
    with pytest.raises(ValueError, match=message):
        model.fit(X, [0, 1, 0, 1][: len(X)] if len(X) <= 4 else [0, 1] * (len(X) // 2))
    assert "fitted_" not in model.__dict__


def test_dask_arrays_are_refused_by_name():
    da = pytest.importorskip("dask.array")
    X, y = sequences()
    model = SequenceClassifier(**FAST)
    with pytest.raises(TypeError, match="Expected sequences in memory.*Received a Dask array"):
        model.fit(da.from_array(X), y)
    model.fit(X, y)
    for method in (model.predict, model.predict_proba, model.predict_log_proba):
        with pytest.raises(TypeError, match="Expected sequences in memory"):
            method(da.from_array(X))


def test_ids_beyond_the_fitted_tokens_are_refused_at_prediction():
    ids, y = token_ids(n_tokens=5)
    model = SequenceClassifier(n_tokens="auto", **FAST).fit(ids, y)
    with pytest.raises(ValueError, match=r"Expected token ids in \[0, 5\)"):
        model.predict(np.full((2, 3), 7))
    with pytest.raises(ValueError, match="Expected integer token ids"):
        model.predict(np.zeros((2, 3, 5)))


@pytest.mark.parametrize(
    "params, name",
    [({"cell": "gru"}, "cell"), ({"n_a": 0}, "n_a"), ({"n_tokens": "some"}, "n_tokens")],
)
def test_bad_hyperparameters(params, name):
    X, y = sequences()
    with pytest.raises(ValueError, match=rf"^Invalid {name}\. Expected .*Received: {name}="):
        SequenceClassifier(**params).fit(X, y)


def test_the_marked_xor_task():
    X, y = make_marked_xor(50, T=8, random_state=3)
    assert X.shape == (50, 8, 2) and y.shape == (50,)
    assert np.all(X[:, :, 1].sum(axis=1) == 2) and set(np.unique(X[:, :, 0])) == {-1.0, 1.0}
    for x, label in zip(X, y, strict=True):  # the exclusive or of the two marked bits
        first, second = (x[t, 0] > 0 for t in np.flatnonzero(x[:, 1]))
        assert label == (first != second)
    ids, same = make_marked_xor(50, T=8, tokens=True, random_state=3)
    np.testing.assert_array_equal(same, y)
    np.testing.assert_array_equal(ids, (X[:, :, 0] > 0) + 2 * X[:, :, 1])
    np.testing.assert_array_equal(make_marked_xor(50, T=8, random_state=3)[0], X)  # seeded
    with pytest.raises(ValueError, match="Invalid T. Expected an integer of at least 2"):
        make_marked_xor(10, T=1)


def test_an_lstm_solves_the_task_where_a_dense_network_on_the_flat_sequence_cannot():
    """T = 10 steps, 1,000 sequences to learn from, 1,000 new ones to test on."""
    X, y = make_marked_xor(1000, T=10, random_state=0)
    X_test, y_test = make_marked_xor(1000, T=10, random_state=1)
    with xpnet.use_backend("numpy"):
        lstm = SequenceClassifier(**MARKED_XOR, random_state=0).fit(X, y)
        dense = xpnet.DeepNet(num_iterations=100, tol=None, random_state=0)
        dense.fit(X.reshape(1000, -1), y)
    assert lstm.score(X_test, y_test) > 0.95
    assert dense.score(X.reshape(1000, -1), y) > 0.9  # it learns the examples it saw ...
    assert dense.score(X_test.reshape(1000, -1), y_test) < 0.65  # ... and nothing more


def test_the_command_line_trains_and_reports_accuracy(tmp_path, capsys):
    from xpnet.cli import main

    args = ["train", "--model", "sequence", "--epochs", "2", "--hidden", "3", "--no-progress"]
    assert main([*args, "--activation", "rnn", "--save", str(tmp_path / "s.npz")]) == 0
    out = capsys.readouterr().out
    assert "SequenceClassifier(cell='rnn', n_a=3" in out and "Cost after epoch 1:" in out
    accuracy = float(out.split("Test accuracy: ")[1].split("%")[0])
    model = xpnet.load(tmp_path / "s.npz")
    X_test, y_test = make_marked_xor(1000, T=10, random_state=1)
    assert accuracy == pytest.approx(100 * model.score(X_test, y_test), abs=0.005)
    assert model.metadata_ == {"data": "marked_xor", "seed": 0}


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--data", "moons"], "Invalid --data for --model sequence. Expected marked_xor"),
        (["--hidden", "4,2"], "Invalid --hidden for --model sequence. Expected one int"),
        (["--activation", "relu"], "Invalid cell. Expected one of"),
    ],
)
def test_the_command_line_refuses_what_it_cannot_train(extra, message, capsys):
    from xpnet.cli import main

    assert main(["train", "--model", "sequence", "--epochs", "1", *extra]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("dtype", ["bool", "float64"])
def test_token_ids_that_are_not_integers_name_their_dtype(dtype):
    X = np.ones((4, 3), dtype=dtype)
    with pytest.raises(
        ValueError, match=f"Expected integer token ids .*Received values of dtype {dtype}"
    ):
        xpnet.SequenceClassifier(n_tokens=3, num_iterations=1).fit(X, [0, 1, 0, 1])
