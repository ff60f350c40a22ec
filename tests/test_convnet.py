"""ConvNet, the image classifier: the estimators' whole contract on images."""

import json
import pickle
import warnings

import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet.backend import device_name, to_numpy
from xpnet.cli import main
from xpnet.datasets import load_digits
from xpnet.io import read

IMAGES = load_digits()[0].reshape(-1, 8, 8, 1) / 16  # (1797, 8, 8, 1) in [0, 1]
LABELS = load_digits()[1]


def small(**kw):
    """A ConvNet small enough for every backend in a test's time."""
    settings = dict(conv_filters=(4,), num_iterations=2, batch_size=32, tol=None, random_state=0)
    return xpnet.ConvNet(**(settings | kw))


def data(n=120, classes=3):
    keep = classes > LABELS
    return IMAGES[keep][:n], LABELS[keep][:n]


def test_fit_predict_on_every_backend(backend):
    X, y = data()
    model = small(hidden_layer_sizes=(8,), keep_prob=0.9).fit(backend.put(X), y)
    proba = to_numpy(model.predict_proba(backend.put(X)))
    assert proba.shape == (120, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    log_proba = to_numpy(model.predict_log_proba(backend.put(X)))
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-4, atol=1e-6)
    predicted = to_numpy(model.predict(backend.put(X)))
    assert set(predicted) <= {0, 1, 2}
    assert np.array_equal(predicted, proba.argmax(axis=1))
    assert 0 <= model.score(X, y) <= 1
    assert model.parameters_["W1"].shape == (3, 3, 1, 4)
    assert model.n_features_in_ == 64


def test_learns_digits():
    order = np.random.RandomState(0).permutation(len(LABELS))
    X, y = IMAGES[order], LABELS[order]
    model = xpnet.ConvNet(num_iterations=15, batch_size=64, tol=None, random_state=0)
    model.fit(X[:1300], y[:1300])
    assert model.score(X[1300:], y[1300:]) > 0.9


def test_two_classes_train_one_sigmoid():
    X, y = data(classes=2)
    model = small(pooling="average", padding="valid").fit(X, np.where(y == 1, "one", "zero"))
    assert model.output_activation_ == "sigmoid" and model.n_outputs_ == 1
    assert set(model.predict(X)) <= {"one", "zero"}


def test_uint8_images_are_scaled_by_255():
    X, y = data()
    pixels = np.round(X * 255).astype(np.uint8)
    scaled = small().fit(pixels, y)
    floats = small().fit(pixels / 255, y)
    for name, W in floats.parameters_.items():
        np.testing.assert_array_equal(scaled.parameters_[name], W)
    assert np.array_equal(scaled.predict_proba(pixels), floats.predict_proba(pixels / 255))


def test_uint8_images_of_the_backend_are_scaled_as_host_images_are(backend):
    X, y = data()
    pixels = np.round(X * 255).astype(np.uint8)
    on_host = small().fit(pixels, y)
    on_backend = small().fit(xpnet.asarray(pixels), y)  # its own spelling of uint8
    tol = 1e-10 if backend.dtype == backend.xp.float64 else 1e-5
    for name, W in on_host.parameters_.items():
        assert_close(on_backend.parameters_[name], W, rtol=tol, atol=tol)
    proba = on_backend.predict_proba(xpnet.asarray(pixels))
    assert_close(proba, on_host.predict_proba(pixels), rtol=tol, atol=tol)


def test_one_channel_without_its_axis():
    X, y = data()
    three = small().fit(X[..., 0], y)
    four = small().fit(X, y)
    assert np.array_equal(three.predict_proba(X[..., 0]), four.predict_proba(X))


def test_sample_weights_count_as_repeated_images():
    X, y = data(60)
    weights = np.where(np.arange(60) % 3 == 0, 2.0, 1.0)
    repeated = np.r_[np.arange(60), np.arange(0, 60, 3)]
    weighted = small(batch_size=None).fit(X, y, sample_weight=weights)
    doubled = small(batch_size=None).fit(X[repeated], y[repeated])
    for name, W in doubled.parameters_.items():
        np.testing.assert_allclose(weighted.parameters_[name], W, rtol=1e-9, atol=1e-12)


def test_early_stopping_keeps_a_score_per_epoch():
    X, y = data(200)
    model = small(num_iterations=4, early_stopping=True, tol=1e-4).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_warm_start_and_partial_fit_continue():
    X, y = data()
    whole = small(num_iterations=3).fit(X, y)
    half = small(num_iterations=2, warm_start=True).fit(X, y)
    half.set_params(num_iterations=1).fit(X, y)
    for name, W in whole.parameters_.items():
        np.testing.assert_allclose(half.parameters_[name], W, rtol=1e-12)
    with pytest.raises(ValueError, match="Expected classes="):
        small().partial_fit(X, y)
    pieces = small().partial_fit(X[:60], y[:60], classes=[0, 1, 2]).partial_fit(X[60:], y[60:])
    assert pieces.epochs_trained_ == 2
    with pytest.raises(ValueError, match="Invalid warm start"):
        half.set_params(conv_filters=(5,)).fit(X, y)


def test_pickle_save_and_load_record_the_blocks(tmp_path, backend):
    X, y = data()
    model = small(conv_filters=(3, 5), hidden_layer_sizes=(6,)).fit(X, y)
    expected = model.predict_proba(X)
    np.testing.assert_allclose(
        pickle.loads(pickle.dumps(model)).predict_proba(X), expected, rtol=1e-12
    )
    path = model.save(tmp_path / "conv.npz")
    header, _ = read(path)
    assert header["format_version"] == 4 and header["input_shape"] == [8, 8, 1]
    assert [b["filters"] for b in header["architecture"]["blocks"]] == [3, 5]
    loaded = xpnet.load(path, backend=backend.name, device=device_name(backend.device))
    assert loaded.fitted_.architecture == model.fitted_.architecture
    np.testing.assert_allclose(to_numpy(loaded.predict_proba(backend.put(X))), expected, rtol=1e-6)


def test_a_file_whose_blocks_differ_from_its_hyperparameters_is_refused(tmp_path):
    X, y = data()
    path = small().fit(X, y).save(tmp_path / "conv.npz")
    with np.load(path) as f:
        arrays = dict(f)
    header = json.loads(str(arrays["header"]))
    header["architecture"]["blocks"][0]["filters"] = 7
    arrays["header"] = np.asarray(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match="are not those its hyperparameters describe"):
        xpnet.load(path)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros((10, 64)), r"Expected images of shape \(n_samples, n_H, n_W, n_C\).*reshape"),
        (np.zeros((10, 8, 8, 1, 1)), r"Received: an array of shape \(10, 8, 8, 1, 1\)"),
        (np.zeros((10, 3, 3, 1)), "Expected images large enough for its blocks"),
        (np.full((10, 8, 8, 1), np.nan), "finite"),
    ],
)
def test_bad_images_are_refused(X, message):
    with pytest.raises(ValueError, match=message):
        xpnet.ConvNet().fit(X, np.arange(10) % 2)


def test_images_of_another_shape_are_refused_at_prediction():
    X, y = data()
    model = small().fit(X, y)
    with pytest.raises(ValueError, match=r"examples of shape \(6, 6, 1\).*\(8, 8, 1\)"):
        model.predict(X[:, :6, :6])


def test_dask_images_predict_lazily():
    da = pytest.importorskip("dask.array")
    X, y = data()
    model = small().fit(X, y)
    lazy = da.from_array(X, chunks=(50, 8, 8, 1))
    assert np.array_equal(model.predict(lazy).compute(), model.predict(X))
    np.testing.assert_allclose(
        model.predict_proba(lazy).compute(), model.predict_proba(X), rtol=1e-12
    )


@pytest.mark.parametrize(
    ("batch_size", "keep_prob", "chunks"),
    [(None, 1.0, 50), (None, 0.8, 50), (None, 1.0, 120), (40, 0.8, 40)],
    ids=["full", "full-dropout", "one-block", "pieces-dropout"],
)
def test_dask_images_train_as_in_memory(batch_size, keep_prob, chunks):
    """Blocks of images, summed per step, take the steps the same images take in memory:
    full batches over several blocks, and unshuffled pieces that are the in-memory
    batches, with dropout after the convolutions and after the dense layer."""
    da = pytest.importorskip("dask.array")
    with xpnet.use_backend("numpy"):
        X, y = data()
        weights = np.random.RandomState(1).uniform(0.5, 2.0, size=X.shape[0])
        settings = dict(
            batch_size=batch_size, keep_prob=keep_prob, shuffle=False, dtype="float64",
            hidden_layer_sizes=(5,),
        )  # fmt: skip
        reference = small(**settings).fit(X, y, sample_weight=weights)
        images = da.from_array(X[..., 0], chunks=(chunks, 8, 4))  # one channel, split columns
        model = small(**settings).fit(images, da.from_array(y, chunks=chunks), weights)
    for name, W in reference.parameters_.items():
        np.testing.assert_allclose(model.parameters_[name], W, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(model.costs_, reference.costs_, rtol=1e-12)
    assert model.score(images, y) == reference.score(X, y)


def test_dask_uint8_images_are_scaled_and_bad_images_refused():
    da = pytest.importorskip("dask.array")
    X, y = data()
    pixels = np.round(X * 255 / X.max()).astype(np.uint8)
    with xpnet.use_backend("numpy"):
        reference = small(batch_size=None).fit(pixels, y)
        model = small(batch_size=None).fit(da.from_array(pixels, chunks=(60, 8, 8, 1)), y)
        for name, W in reference.parameters_.items():
            np.testing.assert_allclose(model.parameters_[name], W, rtol=1e-5, atol=1e-7)
        with pytest.raises(ValueError, match=r"Expected images of shape.*reshape"):
            small().fit(da.from_array(X.reshape(len(X), -1), chunks=60), y)
        with pytest.raises(ValueError, match="Expected images large enough"):
            small().fit(da.from_array(X[:, :1, :1], chunks=60), y)
        bad = X.copy()
        bad[100, 3, 3, 0] = np.nan
        with pytest.raises(ValueError, match="finite values in X"):
            small(batch_size=None).fit(da.from_array(bad, chunks=(60, 8, 8, 1)), y)


def test_jax_compiled_step_equals_eager():
    pytest.importorskip("jax")
    X, y = data()
    with xpnet.use_backend("jax"):
        eager = small(jit_compile=False, keep_prob=0.9, dtype="float64").fit(X, y)
        compiled = small(jit_compile=True, keep_prob=0.9, dtype="float64").fit(X, y)
    for name, W in eager.parameters_.items():
        np.testing.assert_allclose(to_numpy(compiled.parameters_[name]), to_numpy(W), rtol=1e-9)


def test_progress_bar_on_request(capsys):
    X, y = data()
    small(progress=True).fit(X, y)
    assert "ConvNet" in capsys.readouterr().err
    small(progress=False).fit(X, y)
    assert capsys.readouterr().err == ""


def test_command_line_trains_conv_on_digits(tmp_path, capsys):
    path = tmp_path / "conv.npz"
    argv = ["train", "--data", "digits", "--model", "conv", "--epochs", "2", "--no-progress"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two epochs do not converge
        assert main([*argv, "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Training ConvNet(" in out and "Test accuracy:" in out
    assert main(["evaluate", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] > 0.2
    assert main(["train", "--data", "planar", "--model", "conv"]) == 2
    assert "Expected a data set of images" in capsys.readouterr().err


def test_command_line_trains_conv_on_the_cats(catvnoncat_dir, capsys):
    argv = ["train", "--data", "catvnoncat", "--data-dir", str(catvnoncat_dir), "--model"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main([*argv, "conv", "--epochs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "12288 features" in out and "Test accuracy:" in out


#: scikit-learn's checks that do not feed X: those of the API, which every estimator passes.
API_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_estimators_unfitted",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_fit1d",
]


@pytest.mark.parametrize("name", API_CHECKS)
@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from:UserWarning")
def test_scikit_learn_checks_that_apply(name):
    checks = pytest.importorskip("sklearn.utils.estimator_checks")
    with xpnet.use_backend("numpy"):
        getattr(checks, name)("ConvNet", small())


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit from:UserWarning")
def test_scikit_learn_is_told_that_x_holds_images():
    """scikit-learn's other checks feed X of shape (n_samples, n_features), which an image
    classifier refuses; its tags say so, and check_estimator then skips them itself. Their
    counterparts on images are the tests of this file and the ones below."""
    checks = pytest.importorskip("sklearn.utils.estimator_checks")
    from sklearn.exceptions import SkipTestWarning

    tags = xpnet.ConvNet().__sklearn_tags__()
    assert not tags.input_tags.two_d_array and tags.input_tags.three_d_array
    with pytest.warns(SkipTestWarning, match="Can't test estimator ConvNet"):
        checks.check_estimator(xpnet.ConvNet())


def test_fit_is_idempotent_and_prediction_leaves_the_model_as_it_was():
    X, y = data()
    model = small().fit(X, y)
    first = {k: np.array(v) for k, v in model.parameters_.items()}
    before = dict(model.__dict__)
    proba = model.predict_proba(X)
    assert model.__dict__ == before
    model.fit(X, y)
    for name, W in first.items():
        np.testing.assert_array_equal(model.parameters_[name], W)
    halves = np.r_[model.predict_proba(X[:50]), model.predict_proba(X[50:])]
    np.testing.assert_allclose(halves, proba, rtol=1e-12)  # subset invariance
    order = np.random.RandomState(0).permutation(len(y))
    np.testing.assert_allclose(model.predict_proba(X[order]), proba[order], rtol=1e-12)


def test_a_format_3_file_still_loads(tmp_path):
    """Format 3 recorded no input_shape: its models take rows of n_features_in."""
    X, y = IMAGES.reshape(-1, 64)[:120], LABELS[:120]
    model = xpnet.DeepNet(hidden_layer_sizes=(5,), num_iterations=2, tol=None).fit(X, y)
    path = model.save(tmp_path / "deep.npz")
    with np.load(path) as f:
        arrays = dict(f)
    header = json.loads(str(arrays["header"]))
    del header["input_shape"]
    header["format_version"] = 3
    arrays["header"] = np.asarray(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    np.testing.assert_array_equal(xpnet.load(path).predict_proba(X), model.predict_proba(X))


def test_images_that_overflow_the_network_are_refused():
    X, y = data()
    model = small().fit(X, y)
    with pytest.raises(ValueError, match="overflow float64 inside the network"):
        model.predict(X * 1e308)
