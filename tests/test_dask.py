"""Training on Dask arrays: the same numbers as NumPy, one compute per step, out of core."""

import numpy as np
import pytest

import xpnet
from xpnet.course import initialize_parameters
from xpnet.network import Network
from xpnet.optimizers import Adam

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'xpnet[dask]')")
dask = pytest.importorskip("dask")

MODELS = {
    "logistic": lambda **kw: xpnet.LogisticRegression(**kw),
    "two_layer": lambda **kw: xpnet.TwoLayerNet(6, **kw),
    "deep": lambda **kw: xpnet.DeepNet((6, 4), **kw),
}
SETTINGS = {"num_iterations": 8, "tol": None, "random_state": 0, "l2": 0.1, "learning_rate": 0.01}


@pytest.fixture(autouse=True)
def on_numpy():
    with xpnet.use_backend("numpy"):
        yield


def data(n=300, classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) if classes == 2 else rng.randint(0, classes, n)
    return X, y


class Computes(dask.callbacks.Callback):
    """Counts the computes, and the size of each one's graph."""

    def __init__(self):
        super().__init__()
        self.graphs = []

    def _start(self, dsk):
        self.graphs.append(len(dsk))


def assert_same(a, b, rtol=1e-12):
    for k, v in a.parameters_.items():
        np.testing.assert_allclose(b.parameters_[k], v, rtol=rtol, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("chunks", [300, 100, 70], ids=["single", "even", "uneven"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_full_batch_fit_equals_numpy(name, chunks):
    X, y = data(classes=3 if name == "deep" else 2)
    reference = MODELS[name](**SETTINGS, batch_size=None).fit(X, y)
    Xd, yd = da.from_array(X, chunks=(chunks, 5)), da.from_array(y, chunks=chunks)
    model = MODELS[name](**SETTINGS, batch_size=None).fit(Xd, yd)
    assert_same(reference, model)
    np.testing.assert_allclose(model.costs_, reference.costs_, rtol=1e-12)
    proba = model.predict_proba(Xd)
    assert isinstance(proba, da.Array)  # lazy until asked
    np.testing.assert_allclose(proba.compute(), reference.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(model.predict(Xd).compute(), reference.predict(X))
    assert model.score(Xd, yd) == reference.score(X, y)


def test_mini_batches_are_the_blocks_in_a_shuffled_order():
    X, y = data()
    chunks = (80, 80, 80, 60)
    Xd, yd = da.from_array(X, chunks=(chunks, 5)), da.from_array(y, chunks=(chunks,))
    model = xpnet.DeepNet((6,), **{**SETTINGS, "optimizer": "adam"}, batch_size=80).fit(Xd, yd)
    # The same steps on NumPy: before epoch e, RandomState(seed + 1 + e) orders the blocks.
    start = xpnet.DeepNet((6,), **{**SETTINGS, "num_iterations": 1, "learning_rate": 1e-300})
    parameters = start.fit(X, y).parameters_  # the model's initial draw
    network, adam = Network.dense(2, "relu", l2=0.1), Adam()
    state = adam.init(parameters)
    edges = np.cumsum((0, *chunks))
    for epoch in range(8):
        for b in np.random.RandomState(0 + 1 + epoch).permutation(4):
            rows = slice(edges[b], edges[b + 1])
            grads, _ = network.gradients(X[rows].T, y[None, rows] * 1.0, parameters)
            parameters, state = adam.update(parameters, grads, state, 0.01)
    for k, v in parameters.items():
        np.testing.assert_allclose(model.parameters_[k], v, rtol=1e-12, atol=1e-15)


def test_one_compute_per_step_and_a_graph_that_does_not_grow():
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(50, 5)), da.from_array(y, chunks=50)
    counted = Computes()
    with counted:
        xpnet.TwoLayerNet(4, **{**SETTINGS, "num_iterations": 12}, batch_size=None).fit(Xd, yd)
    # One compute for the classes, then one per step: gradients and cost together.
    assert len(counted.graphs) == 1 + 12
    steps = counted.graphs[1:]
    assert len(set(steps)) == 1, steps


def test_functional_layer_on_dask_columns():
    X, y = data()
    Xd = da.from_array(X.T, chunks=(5, 70))
    Yd = da.from_array(y[None, :] * 1.0, chunks=(1, 70))
    parameters = initialize_parameters([5, 4, 1], "he", random_state=0)
    network = Network.dense(2, "relu")
    grads, _ = network.gradients(Xd, Yd, parameters)
    expected, _ = network.gradients(X.T, y[None, :] * 1.0, parameters)
    for k, v in expected.items():
        np.testing.assert_allclose(np.asarray(grads[k]), v, rtol=1e-12, atol=1e-17)


def test_unknown_chunks_raise_and_misaligned_chunks_are_mended():
    X, y = data()
    Xd = da.from_array(X, chunks=(100, 5))
    masked = Xd[Xd[:, 0] > -10]  # boolean masking: chunk sizes become unknown
    with pytest.raises(ValueError, match=r"known chunk sizes.*compute_chunk_sizes\(\)"):
        xpnet.DeepNet((4,), **SETTINGS).fit(masked, y)
    split_features = da.from_array(X, chunks=(100, 2))
    misaligned_y = da.from_array(y, chunks=70)
    reference = xpnet.DeepNet((4,), **SETTINGS, batch_size=None).fit(X, y)
    model = xpnet.DeepNet((4,), **SETTINGS, batch_size=None).fit(split_features, misaligned_y)
    assert_same(reference, model)
    host_y = xpnet.DeepNet((4,), **SETTINGS, batch_size=None).fit(Xd, y)
    assert_same(reference, host_y)


def test_nan_in_a_block_is_found_in_the_first_pass():
    X, y = data()
    X[250, 2] = np.nan
    counted = Computes()
    with counted, pytest.raises(ValueError, match="Received NaN or infinity in a block of X"):
        xpnet.DeepNet((4,), **SETTINGS, batch_size=None).fit(da.from_array(X, chunks=(100, 5)), y)
    assert len(counted.graphs) == 2  # the classes, then the first step: no extra pass


def test_partial_fit_over_blocks_equals_a_numpy_loop():
    X, y = data()
    settings = {**SETTINGS, "batch_size": None, "optimizer": "gd"}
    model = xpnet.DeepNet((5,), **settings)
    reference = xpnet.DeepNet((5,), **settings)
    for rows in (slice(0, 100), slice(100, 200), slice(200, 300)):
        model.partial_fit(da.from_array(X[rows], chunks=(40, 5)), y[rows], classes=[0, 1])
        reference.partial_fit(X[rows], y[rows], classes=[0, 1])
    assert model.epochs_trained_ == 3 and model.n_iter_ == 1
    assert_same(reference, model)


def test_a_zarr_array_on_disk_trains_as_in_memory(tmp_path):
    zarr = pytest.importorskip("zarr", reason="zarr is not installed (pip install 'xpnet[dask]')")
    X, y = data()
    da.from_array(X, chunks=(64, 5)).to_zarr(str(tmp_path / "X.zarr"))
    np.save(tmp_path / "y.npy", y)
    Xz = da.from_zarr(str(tmp_path / "X.zarr"))
    assert zarr and Xz.chunks[0][0] == 64
    reference = xpnet.TwoLayerNet(4, **SETTINGS, batch_size=None).fit(X, y)
    model = xpnet.TwoLayerNet(4, **SETTINGS, batch_size=None).fit(Xz, np.load(tmp_path / "y.npy"))
    assert_same(reference, model)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip(
        "distributed", reason="distributed is not installed (pip install 'xpnet[dask]')"
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def test_a_local_cluster_fit_equals_numpy(cluster):
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(75, 5)), da.from_array(y, chunks=75)
    reference = xpnet.DeepNet((6,), **SETTINGS, batch_size=None).fit(X, y)
    model = xpnet.DeepNet((6,), **SETTINGS, batch_size=None).fit(Xd, yd)
    assert_same(reference, model)
    assert model.score(Xd, yd) == reference.score(X, y)


def test_every_optimiser_and_regulariser_on_blocks_is_reproducible():
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(60, 5)), da.from_array(y, chunks=60)
    settings = {
        **SETTINGS,
        "optimizer": "adam",
        "keep_prob": 0.8,
        "lr_decay": "exponential",
        "batch_size": 60,
        "learning_rate": 0.05,
    }
    for optimizer in ("gd", "momentum", "rmsprop", "adam"):
        first = xpnet.DeepNet((6,), **{**settings, "optimizer": optimizer}).fit(Xd, yd)
        again = xpnet.DeepNet((6,), **{**settings, "optimizer": optimizer}).fit(Xd, yd)
        assert_same(first, again, rtol=0)
        assert first.n_iter_ == 8 and first.costs_[-1] < first.costs_[0], optimizer


def test_xpnet_imports_and_trains_without_dask():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['dask'] = None\n"
        "import numpy as np, xpnet\n"
        "X = np.random.RandomState(0).randn(40, 3); y = (X[:, 0] > 0).astype(int)\n"
        "model = xpnet.DeepNet((4,), num_iterations=50, learning_rate=0.05, random_state=0)\n"
        "print(model.fit(X, y).score(X, y) > 0.8)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr
