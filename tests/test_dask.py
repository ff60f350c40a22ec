"""Training on Dask arrays: the same numbers as NumPy, one compute per step, out of core."""

import itertools
import threading
from types import SimpleNamespace

import numpy as np
import pytest

import xpnet
from xpnet.course import initialize_parameters
from xpnet.dask_arrays import BlockSource, prepare
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


@pytest.mark.parametrize("X_dtype", ["int64", "float32", "bool"])
def test_lazy_predictions_declare_what_their_blocks_hold(X_dtype):
    """The declared dtype is the model's, not X's: storing trusts it."""
    X, y = data()
    X = X.astype(X_dtype)
    regressor = xpnet.DeepRegressor((4,), **SETTINGS).fit(X, np.c_[X[:, 0], X[:, 1]] * 3)
    classifier = xpnet.DeepNet((4,), **SETTINGS).fit(X, y)
    Xd = da.from_array(X, chunks=((100, 0, 200), 5))  # an empty block among them
    for lazy, eager in [
        (regressor.predict(Xd), regressor.predict(X)),
        (classifier.predict_proba(Xd), classifier.predict_proba(X)),
        (classifier.predict(Xd), classifier.predict(X)),
    ]:
        stored = np.zeros(lazy.shape, lazy.dtype)
        da.store(lazy, stored)
        assert lazy.dtype == eager.dtype
        if eager.dtype.kind == "f":  # blocks of other sizes: products in another order
            tol = 1e-12 if eager.dtype == np.float64 else 1e-6
            np.testing.assert_allclose(stored, eager, rtol=tol, atol=tol)
        else:
            np.testing.assert_array_equal(stored, eager)


def test_an_overflowed_optimiser_on_blocks_is_refused_as_in_memory():
    """Adam's running average of g² leaves the float range: every update is then 0 and
    the cost stays put; in memory and on blocks alike, the fit says so."""
    X, y = data()
    settings = {**SETTINGS, "l2": 0.0, "num_iterations": 3, "batch_size": None}
    with pytest.raises(FloatingPointError, match="optimiser's running averages"):
        xpnet.DeepNet((4,), **settings).fit(X * 1e300, y)
    with pytest.raises(FloatingPointError, match="optimiser's running averages"):
        xpnet.DeepNet((4,), **settings).fit(
            da.from_array(X * 1e300, chunks=(100, 5)), da.from_array(y, chunks=100)
        )


def test_host_targets_and_weights_beside_blocks_are_checked_first():
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(50, 5)), da.from_array(y, chunks=50)
    model = xpnet.DeepNet((4,), **SETTINGS)
    with pytest.raises(ValueError, match=r"Expected y of shape \(300,\), one per row of X"):
        model.fit(Xd, y[:100])
    with pytest.raises(ValueError, match=r"Expected sample_weight of shape \(300,\)"):
        model.fit(Xd, yd, sample_weight=np.ones(100))
    with pytest.raises(TypeError, match="Invalid sample_weight. Expected real numbers"):
        model.fit(Xd, yd, sample_weight=np.array(["a"] * 300))
    with pytest.raises(ValueError, match="a multilabel y of 0/1 columns trains from arrays in"):
        model.fit(Xd, np.c_[y, 1 - y])


def test_blocks_of_no_rows_or_no_features_are_refused_as_in_memory():
    _, y = data()
    message = "Expected data with at least one sample and one feature"
    empty, labels = da.zeros((0, 5), chunks=5), da.zeros(0, chunks=5, dtype=int)
    with pytest.raises(ValueError, match=message):
        xpnet.DeepNet((4,), **SETTINGS).fit(empty, labels)
    with pytest.raises(ValueError, match=message):
        xpnet.DeepNet((4,), **SETTINGS).partial_fit(empty, labels, classes=[0, 1])
    with pytest.raises(ValueError, match=message):
        xpnet.DeepNet((4,), **SETTINGS).fit(da.zeros((300, 0), chunks=50), y)


def test_a_score_takes_dask_weights_as_a_fit_does():
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(50, 5)), da.from_array(y, chunks=50)
    weights = np.random.RandomState(1).uniform(0.5, 2.0, size=300)
    model = xpnet.DeepNet((4,), **SETTINGS).fit(Xd, yd, sample_weight=da.from_array(weights, 60))
    assert model.score(Xd, yd, sample_weight=da.from_array(weights, 60)) == model.score(
        X, y, sample_weight=weights
    )


def test_images_of_unknown_chunk_sizes_name_the_fix():
    rng = np.random.RandomState(0)
    images = da.from_array(rng.rand(40, 6, 6, 1), chunks=(10, 6, 6, 1))
    kept = images[images[:, 0, 0, 0] > 0.5]  # boolean masking: sizes unknown
    model = xpnet.ConvNet(conv_filters=(2,), **SETTINGS)
    with pytest.raises(ValueError, match=r"known chunk sizes.*compute_chunk_sizes\(\)"):
        model.fit(kept, np.arange(40) % 2)
    model.fit(images, np.arange(40) % 2)
    with pytest.raises(ValueError, match=r"compute_chunk_sizes\(\)"):
        model.predict(kept)


def numpy_steps(X, y, pieces, epochs=8):
    """The course's steps with Adam on NumPy, one piece of rows a step: before epoch e,
    RandomState(seed + 1 + e) orders the pieces."""
    start = xpnet.DeepNet((6,), **{**SETTINGS, "num_iterations": 1, "learning_rate": 1e-300})
    parameters = start.fit(X, y).parameters_  # the model's initial draw
    network, adam = Network.dense(2, "relu", l2=0.1), Adam()
    state = adam.init(parameters)
    for epoch in range(epochs):
        for k in np.random.RandomState(0 + 1 + epoch).permutation(len(pieces)):
            rows = pieces[k]
            grads, _ = network.gradients(X[rows].T, y[None, rows] * 1.0, parameters)
            parameters, state = adam.update(parameters, grads, state, 0.01)
    return parameters


@pytest.mark.parametrize(
    ("batch_size", "cuts"),
    [
        ("auto", (0, 80, 160, 240, 300)),  # one block a step
        (30, (0, 30, 60, 80, 110, 140, 160, 190, 220, 240, 270, 300)),  # 3, 3, 3, 2 pieces
        (80, (0, 80, 160, 240, 300)),  # pieces that are the blocks
    ],
)
def test_mini_batches_are_pieces_of_blocks_in_a_shuffled_order(batch_size, cuts):
    X, y = data()
    chunks = (80, 80, 80, 60)
    Xd, yd = da.from_array(X, chunks=(chunks, 5)), da.from_array(y, chunks=(chunks,))
    settings = {**SETTINGS, "optimizer": "adam", "batch_size": batch_size}
    model = xpnet.DeepNet((6,), **settings).fit(Xd, yd)
    pieces = [slice(a, b) for a, b in itertools.pairwise(cuts)]
    for k, v in numpy_steps(X, y, pieces).items():
        np.testing.assert_allclose(model.parameters_[k], v, rtol=1e-12, atol=1e-15)


def test_a_mini_batch_step_is_one_compute_and_a_nan_in_any_piece_is_found():
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(100, 5)), da.from_array(y, chunks=100)
    counted = Computes()
    with counted:
        xpnet.DeepNet((4,), **{**SETTINGS, "num_iterations": 2}, batch_size=40).fit(Xd, yd)
    assert len(counted.graphs) == 1 + 2 * 9  # the classes, then 3 pieces of 3 blocks, twice
    first, *ahead = counted.graphs[1:10]  # the first reads its block; the others are read ahead
    assert (
        len(set(ahead)) == 1 and ahead[0] < first and counted.graphs[1:10] == counted.graphs[10:]
    )
    X[290, 1] = np.inf  # in the last piece of the last block
    with pytest.raises(ValueError, match="Received NaN or infinity in a block of X"):
        xpnet.DeepNet((4,), **SETTINGS, batch_size=40).fit(da.from_array(X, chunks=(100, 5)), yd)


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


def test_any_targets_plug_in_through_a_function_that_makes_Y_of_a_block():
    X, _ = data()
    soft = np.random.RandomState(2).uniform(size=300)  # a target that is not a class
    Xd = da.from_array(X, chunks=(70, 5))
    source = BlockSource(Xd, da.from_array(soft, chunks=70), None, rows_of_targets)
    parameters = initialize_parameters([5, 4, 1], "he", random_state=0)
    network = Network.dense(2, "relu")
    ((X_batch, Y, weights),) = source.batches(SimpleNamespace(batch_size=None), 0, 0)
    grads, loss = source.batch_gradients(
        network, X_batch, Y, parameters, weights=weights, with_loss=True
    )
    expected, m_cost = network.gradients(X.T, soft[None, :], parameters, with_loss=True)
    np.testing.assert_allclose(loss, m_cost, rtol=1e-12)
    for k, v in expected.items():
        np.testing.assert_allclose(grads[k], v, rtol=1e-12, atol=1e-17)


def rows_of_targets(T, X):
    return np.reshape(np.asarray(T, dtype=X.dtype), (1, -1))


def test_workers_started_for_training_keep_their_temporaries():
    from xpnet.dask_workers import WORKER_ENVIRON, training_workers

    key = "distributed.nanny.pre-spawn-environ."
    with training_workers():
        for name, value in WORKER_ENVIRON.items():
            assert dask.config.get(key + name) == value
    assert dask.config.get(key + "MALLOC_TRIM_THRESHOLD_", None) != "67108864"


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


@pytest.mark.parametrize("codec", ["raw", "blosc"])
def test_a_store_written_by_save_zarr_reads_its_chunks_as_blocks(tmp_path, codec):
    zarr = pytest.importorskip("zarr", reason="zarr is not installed (pip install 'xpnet[dask]')")
    if int(zarr.__version__[0]) < 3:
        pytest.skip("the raw chunk reader reads Zarr format 3")
    from xpnet.datasets import load_zarr, save_zarr
    from xpnet.datasets.stores import RawChunks

    X, y = data()
    compressors = None if codec == "raw" else zarr.codecs.BloscCodec(cname="lz4")
    save_zarr(tmp_path / "s.zarr", X, y, chunk_rows=64, compressors=compressors)
    stored = zarr.open_array(str(tmp_path / "s.zarr" / "X"), mode="r")
    assert (len(stored.compressors) == 0) == (codec == "raw")
    X_train, y_train, X_test, y_test = load_zarr(tmp_path / "s.zarr", test_size=0.1)
    assert X_train.chunks[0] == (64, 64, 64, 64, 14) and y_train.chunks == X_train.chunks[:1]
    read = [v for v in dict(X_train.__dask_graph__()).values() if isinstance(v, RawChunks)]
    assert bool(read) == (codec == "raw")  # raw chunk files are read without Zarr's codecs
    np.testing.assert_array_equal(X_test.compute(), X[270:])  # a view of the edge chunk
    np.testing.assert_array_equal(y_train.compute(), y[:270])
    np.testing.assert_array_equal(y_test.compute(), y[270:])
    reference = xpnet.TwoLayerNet(4, **SETTINGS, batch_size=None).fit(X[:270], y[:270])
    model = xpnet.TwoLayerNet(4, **SETTINGS, batch_size=None).fit(X_train, y_train)
    assert_same(reference, model)


def test_a_store_is_replaced_whole_and_a_foreign_folder_is_refused(tmp_path):
    pytest.importorskip("zarr", reason="zarr is not installed (pip install 'xpnet[dask]')")
    from xpnet.datasets import load_zarr, save_zarr

    X, y = data()
    store = save_zarr(tmp_path / "s.zarr", X, y, chunk_rows=64)
    # X and y read lazily from the store they replace: doubled, written back in its place
    Xz, yz, _, _ = load_zarr(store, test_size=1 / 300)
    save_zarr(store, Xz * 2, yz, chunk_rows=64)
    X2, y2, _, _ = load_zarr(store, test_size=1 / 300)
    np.testing.assert_array_equal(X2.compute(), X[:298] * 2)  # 299 rows, one held out
    np.testing.assert_array_equal(y2.compute(), y[:298])

    def broken(block):
        raise KeyboardInterrupt  # a crash in the middle of writing y

    with pytest.raises(KeyboardInterrupt):
        save_zarr(store, X[:100], da.from_array(y[:100], chunks=50).map_blocks(broken))
    X3, y3, _, _ = load_zarr(store, test_size=1 / 300)  # the store before, intact
    np.testing.assert_array_equal(X3.compute(), X[:298] * 2)
    np.testing.assert_array_equal(y3.compute(), y[:298])
    assert [p.name for p in tmp_path.iterdir()] == ["s.zarr"]  # nothing aside, no temporary

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("kept")
    with pytest.raises(FileExistsError, match=r"Expected a new folder or a Zarr store of X and y"):
        save_zarr(folder, X, y)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    with pytest.raises(NotADirectoryError, match="which is a file"):
        save_zarr(folder / "notes.txt", X, y)


@pytest.mark.parametrize("targets", [1, 2])
@pytest.mark.parametrize("batch_size", [None, 40], ids=["full", "pieces"])
def test_a_regressor_on_blocks_equals_numpy(targets, batch_size):
    X, _ = data()
    y = X @ np.arange(1.0, 1.0 + 5 * targets).reshape(5, targets)
    y = y[:, 0] if targets == 1 else y
    weights = np.random.RandomState(1).uniform(0.5, 2.0, size=300)
    settings = {**SETTINGS, "batch_size": batch_size, "shuffle": False}
    reference = xpnet.DeepRegressor((6,), **settings).fit(X, y, sample_weight=weights)
    Xd = da.from_array(X, chunks=(80, 5))
    yd = da.from_array(y, chunks=(80,) if targets == 1 else (80, targets))
    with Computes() as computes:
        model = xpnet.DeepRegressor((6,), **settings).fit(Xd, yd, sample_weight=weights)
    steps = 8 * (1 if batch_size is None else 2 + 2 + 2 + 2)  # 80 rows: pieces of 40
    assert len(computes.graphs) == steps + 2  # + y's finiteness, + the weights' check
    assert_same(reference, model)
    predicted = model.predict(Xd)
    assert isinstance(predicted, da.Array) and predicted.shape == y.shape
    np.testing.assert_allclose(predicted.compute(), reference.predict(X), rtol=1e-12)
    assert model.score(Xd, yd) == pytest.approx(reference.score(X, y), rel=1e-12)


def test_a_regressor_refuses_bad_targets_on_blocks():
    X, _ = data()
    Xd = da.from_array(X, chunks=(100, 5))
    bad = np.where(np.arange(300) == 7, np.nan, 1.0)
    with pytest.raises(ValueError, match="Expected finite values in y"):
        xpnet.DeepRegressor((4,)).fit(Xd, da.from_array(bad, chunks=100))
    with pytest.raises(ValueError, match=r"Expected y of shape \(300,\)"):
        xpnet.DeepRegressor((4,)).fit(Xd, np.zeros(299))
    with pytest.raises(TypeError, match="Expected real numbers in y"):
        xpnet.DeepRegressor((4,)).fit(Xd, np.array(["a"] * 300))


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


@pytest.mark.parametrize("batch_size", [None, 25], ids=["full", "pieces"])
def test_blocks_held_by_the_workers_train_as_numpy(cluster, batch_size):
    X, y = data(classes=3)
    weights = np.random.RandomState(1).uniform(0.5, 2.0, size=300)
    Xd = cluster.persist(da.from_array(X, chunks=(50, 5)))
    settings = {**SETTINGS, "batch_size": batch_size, "shuffle": False}
    model = xpnet.DeepNet((6,), **settings).fit(Xd, y, sample_weight=weights)
    source = prepare(Xd, y, None, None, None)[0]
    assert source.held is not None  # one task a worker, over the blocks it holds
    assert len(source.held.holders) == len(set(source.held.workers))
    # Unshuffled pieces of 25 rows are the batches a NumPy fit cuts from the same rows.
    reference = xpnet.DeepNet((6,), **settings).fit(X, y, sample_weight=weights)
    assert_same(reference, model)


def test_images_held_by_the_workers_train_as_numpy(cluster):
    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 6, 6, 2), rng.randint(0, 3, 60)
    settings = {**SETTINGS, "num_iterations": 3, "batch_size": 20, "shuffle": False}
    model = xpnet.ConvNet(conv_filters=3, keep_prob=0.9, **settings)
    fitted = model.fit(cluster.persist(da.from_array(X, chunks=(20, 6, 6, 2))), y)
    reference = xpnet.ConvNet(conv_filters=3, keep_prob=0.9, **settings).fit(X, y)
    assert_same(reference, fitted, rtol=1e-10)


def test_a_regressor_on_a_local_cluster_equals_numpy(cluster):
    X, _ = data()
    y = X @ np.arange(1.0, 6.0)
    reference = xpnet.DeepRegressor((6,), **SETTINGS, batch_size=None).fit(X, y)
    Xd = cluster.persist(da.from_array(X, chunks=(75, 5)))
    model = xpnet.DeepRegressor((6,), **SETTINGS, batch_size=None).fit(Xd, y)
    assert_same(reference, model)


def misaligned(block):
    """The block as a view at an address misaligned for its dtype, as a block is that
    arrived inside a network message."""
    buffer = bytearray(block.nbytes + 1)
    view = np.ndarray(block.shape, block.dtype, buffer=buffer, offset=1)
    view[...] = block
    return view


def test_an_ordinary_cluster_is_prepared_for_training_when_it_starts(cluster):
    """The cluster's workers were started with no setting of xpnet's: training sets the
    allocator's thresholds in them, balances the blocks over them and copies the
    misaligned ones, and the fit is the fit in memory."""
    import platform

    from xpnet.dask_workers import WORKER_ENVIRON, allocator_settings

    X, y = data()
    first = sorted(cluster.nthreads())[0]
    Xd = cluster.persist(da.from_array(X, chunks=(50, 5)).map_blocks(misaligned), workers=[first])
    keys = {str(k) for k in dask.core.flatten(Xd.__dask_keys__())}

    def blocks(dask_worker):
        return [bool(v.flags.aligned) for k, v in dask_worker.data.items() if str(k) in keys]

    assert not any(a for held in cluster.run(blocks).values() for a in held)
    model = xpnet.DeepNet((6,), **SETTINGS, batch_size=None).fit(Xd, y)
    assert_same(xpnet.DeepNet((6,), **SETTINGS, batch_size=None).fit(X, y), model)
    source = prepare(Xd, y, None, None, None)[0]
    assert sorted(source.held.workers.count(w) for w in cluster.nthreads()) == [3, 3]
    # The 3 blocks trained where they lie are copied there; the 3 others were copied to
    # the other worker, where the steps read them.
    assert sum(cluster.run(blocks)[first]) == 3
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        expected = {k: int(v) for k, v in WORKER_ENVIRON.items()}
        assert list(cluster.run(allocator_settings).values()) == [expected] * 2


def test_lazily_read_blocks_are_read_one_batch_ahead():
    X, y = data()
    chunks = (80, 80, 80, 60)
    readers = []

    def read(block):  # runs where, and when, the block is read
        readers.append(threading.current_thread().name)
        return block

    Xd = da.from_array(X, chunks=(chunks, 5)).map_blocks(read)
    readers.clear()  # map_blocks' own look at the function
    settings = {**SETTINGS, "optimizer": "adam", "batch_size": "auto"}
    with dask.config.set(scheduler="threads"):
        model = xpnet.DeepNet((6,), **settings).fit(Xd, da.from_array(y, chunks=(chunks,)))
    pieces = [slice(a, b) for a, b in itertools.pairwise((0, 80, 160, 240, 300))]
    for k, v in numpy_steps(X, y, pieces).items():
        np.testing.assert_allclose(model.parameters_[k], v, rtol=1e-12, atol=1e-15)
    ahead = [name.startswith("xpnet-read-ahead") for name in readers]
    assert len(ahead) == 8 * 4 and sum(ahead) == 8 * 3  # all but each epoch's first block


def test_blocks_read_ahead_on_a_cluster_train_as_numpy(cluster):
    X, y = data()
    Xd, yd = da.from_array(X, chunks=(75, 5)), da.from_array(y, chunks=75)
    settings = {**SETTINGS, "optimizer": "adam", "batch_size": "auto"}
    model = xpnet.DeepNet((6,), **settings).fit(Xd, yd)  # futures read ahead on the workers
    for k, v in numpy_steps(X, y, [slice(a, a + 75) for a in range(0, 300, 75)]).items():
        np.testing.assert_allclose(model.parameters_[k], v, rtol=1e-12, atol=1e-15)


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
