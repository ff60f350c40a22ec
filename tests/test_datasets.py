import numpy as np
import pytest

import xpnet
from conftest import assert_close
from xpnet import datasets


def test_planar_is_the_course_recipe():
    """Re-derived here from the course's published code, draw by draw."""
    rng = np.random.RandomState(1)
    X, y = datasets.make_planar()
    assert X.shape == (400, 2) and y.shape == (400,)
    for j in range(2):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, 200) + rng.randn(200) * 0.2
        r = 4 * np.sin(4 * t) + rng.randn(200) * 0.2
        rows = slice(200 * j, 200 * (j + 1))
        np.testing.assert_array_equal(X[rows], np.c_[r * np.sin(t), r * np.cos(t)])
        assert np.all(y[rows] == j)


@pytest.mark.parametrize("name", sorted(datasets.GENERATED))
def test_generated_sets_are_binary_and_seeded(name):
    make = datasets.GENERATED[name]
    X, y = make(random_state=3)
    X2, _y2 = make(random_state=3)
    np.testing.assert_array_equal(X, X2)
    assert X.ndim == 2 and X.shape[1] == 2 and y.shape == (X.shape[0],)
    assert sorted(np.unique(y)) == [0, 1]
    assert not np.array_equal(make(random_state=4)[0], X)


def test_moons_circles_blobs_quantiles_are_learnable():
    for make in (datasets.make_moons, datasets.make_circles, datasets.make_gaussian_quantiles):
        X, y = make(n_samples=300, random_state=0)
        model = xpnet.TwoLayerNet(n_h=8, num_iterations=2000, random_state=0).fit(X, y)
        assert model.score(X, y) > 0.85, make.__name__


def test_gaussian_quantiles_have_equal_classes():
    _, y = datasets.make_gaussian_quantiles(n_samples=300, n_classes=3, random_state=0)
    assert np.bincount(y).tolist() == [100, 100, 100]


def test_catvnoncat(catvnoncat_dir):
    X_train, y_train, X_test, y_test, classes = datasets.load_catvnoncat(catvnoncat_dir)
    assert X_train.shape == (209, 12288) and X_test.shape == (50, 12288)
    assert y_train.shape == (209,) and y_test.shape == (50,)
    assert classes == ["non-cat", "cat"]
    assert X_train.min() >= 0 and X_train.max() <= 1
    assert set(np.unique(y_train)) == {0, 1}


def test_catvnoncat_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="Expected the course's train_catvnoncat.h5 in"):
        datasets.load_catvnoncat(tmp_path)


def test_catvnoncat_malformed_file(tmp_path):
    pytest.importorskip("h5py")
    (tmp_path / "train_catvnoncat.h5").write_bytes(b"not an HDF5 file")
    with pytest.raises(ValueError, match="Expected an HDF5 file with train_set_x"):
        datasets.load_catvnoncat(tmp_path)


def test_breast_cancer_and_digits():
    pytest.importorskip("sklearn")
    X, y = datasets.load_breast_cancer()
    assert X.shape == (569, 30) and set(np.unique(y)) == {0, 1}
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and len(np.unique(y)) == 10


def test_csv_with_header_and_text_labels(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b,label\n1.0,2.0,cat\n3.0,4.5,dog\n-1,0,cat\n")
    X, y = datasets.load_csv(path)
    np.testing.assert_array_equal(X, [[1.0, 2.0], [3.0, 4.5], [-1.0, 0.0]])
    assert y.tolist() == ["cat", "dog", "cat"]


def test_the_column_numbers_pandas_writes_are_a_header(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("0,1,2\n1.5,2.0,0\n3.0,4.0,1\n")  # pd.DataFrame(a).to_csv(index=False)
    X, y = datasets.load_csv(path)
    np.testing.assert_array_equal(X, [[1.5, 2.0], [3.0, 4.0]])
    assert y.tolist() == [0, 1]
    path.write_text("0,2,1\n1.5,2.0,0\n")  # numbers, not the column numbers: a row
    assert datasets.load_csv(path)[1].tolist() == [1, 0]


def test_csv_numeric_labels_become_integers(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("1,2,0\n3,4,1\n")
    assert datasets.load_csv(path)[1].dtype == np.int64


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2,0\n3,4\n", "Expected a CSV file of equal-length rows"),
        ("1\n2\n", "Expected a CSV file with feature columns"),
        ("x,1,0\ny,2,1\n", "Expected numeric features"),
    ],
    ids=["ragged", "one-column", "text-feature"],
)
def test_malformed_csv(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        datasets.load_csv(path)


def test_load_dataset_names_and_errors(tmp_path):
    X_train, _y_train, X_test, _y_test = datasets.load_dataset("planar")
    assert X_train.shape == X_test.shape == (400, 2)
    np.testing.assert_array_equal(X_train, datasets.make_planar()[0])
    with pytest.raises(ValueError, match=r"Invalid data set\. Expected one of \['planar'"):
        datasets.load_dataset("mnist")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        datasets.load_dataset(str(tmp_path / "missing.csv"))


def test_train_test_split_on_every_backend(backend, xp):
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    X_train, X_test, y_train, y_test = datasets.train_test_split(
        xpnet.asarray(X), xpnet.asarray(y), test_size=0.3, random_state=0
    )
    assert X_train.shape == (7, 2) and X_test.shape == (3, 2)
    assert sorted(xpnet.to_numpy(y_train).tolist() + xpnet.to_numpy(y_test).tolist()) == list(
        range(10)
    )
    assert_close(X_test[:, 0], 2 * xpnet.to_numpy(y_test))  # rows stay whole
    assert (
        xpnet.to_numpy(datasets.train_test_split(X, test_size=0.3, random_state=0)[1]).tolist()
        == xpnet.to_numpy(X_test).tolist()
    )


def test_a_split_that_leaves_nothing_to_train_on_names_test_size():
    message = r"Invalid test_size\. Expected a fraction of the 10 rows that leaves one or more"
    with pytest.raises(ValueError, match=message + r".*test_size=0\.99, which holds out 10"):
        datasets.train_test_split(np.ones((10, 2)), test_size=0.99)


def test_standard_scaler_on_every_backend(backend, xp):
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    scaler = datasets.StandardScaler().fit(xpnet.asarray(X))
    Z = scaler.transform(xpnet.asarray(X))
    tol = 1e-6 if backend.dtype != xp.float64 else 1e-12
    assert_close(Z, [[-1.2247448713915890, 0.0], [0.0, 0.0], [1.2247448713915890, 0.0]], rtol=tol)
    with pytest.raises(ValueError, match="not fitted"):
        datasets.StandardScaler().transform(X)


@pytest.mark.parametrize("name", sorted(datasets.GENERATED))
def test_every_generator_takes_a_numpy_generator(name):
    make = datasets.GENERATED[name]
    X, y = make(random_state=np.random.default_rng(5))
    X2, _ = make(random_state=np.random.default_rng(5))
    np.testing.assert_array_equal(X, X2)
    assert np.all(np.isfinite(X)) and sorted(np.unique(y)) == [0, 1]
    assert not np.array_equal(make(random_state=np.random.default_rng(6))[0], X)


def test_load_dataset_with_a_generator_draws_a_fresh_test_set():
    X_train, _, X_test, _ = datasets.load_dataset("moons", random_state=np.random.default_rng(0))
    assert X_train.shape == X_test.shape == (200, 2)
    assert not np.array_equal(X_train, X_test)


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_a_seed_out_of_range_is_refused_by_its_name(seed):
    message = rf"Invalid random_state\. Expected an int between 0 and 2\*\*32 - 1\. Received: random_state={seed}"
    with pytest.raises(ValueError, match=message):
        datasets.make_moons(random_state=seed)
    with pytest.raises(ValueError, match=message):
        datasets.load_dataset("blobs", random_state=seed)
    with pytest.raises(ValueError, match=message):
        datasets.train_test_split(np.zeros((4, 2)), random_state=seed)


@pytest.mark.parametrize("seed", [True, 1.5, "0"])
def test_a_seed_of_another_type_is_refused_by_its_name(seed):
    with pytest.raises(TypeError, match=r"Invalid random_state\. .*Received: random_state="):
        datasets.make_planar(random_state=seed)


def test_the_largest_seed_still_draws_a_test_set():
    X_train, _, X_test, _ = datasets.load_dataset("circles", random_state=2**32 - 1)
    assert not np.array_equal(X_train, X_test)


def test_standard_scaler_near_the_float_maximum(backend, xp):
    """Squares of 1e300 overflow; the statistics must not."""
    if backend.dtype != xp.float64:
        pytest.skip("1e300 is not a float32 number")
    X = np.random.RandomState(0).randn(50, 3)
    big = datasets.StandardScaler().fit_transform(xpnet.asarray(X * 1e300))
    reference = (X - X.mean(axis=0)) / X.std(axis=0)
    assert_close(big, reference, rtol=1e-12, atol=1e-12)


def test_standard_scaler_matches_the_formula_bit_for_bit():
    X = np.random.RandomState(1).randn(40, 4) * [1e-3, 1.0, 7.0, 1e5] + [3.0, -2.0, 0.0, 1e6]
    scaler = datasets.StandardScaler().fit(X)
    np.testing.assert_array_equal(scaler.mean_, X.mean(axis=0))
    np.testing.assert_array_equal(scaler.scale_, X.std(axis=0))


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_standard_scaler_refuses_non_finite_features(bad):
    X = np.ones((4, 3))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"Invalid X\. .*finite.*feature column\(s\) \[1\]"):
        datasets.StandardScaler().fit(X)


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment only\n", "a,b,label\n"])
def test_an_empty_csv_is_one_clear_error(tmp_path, text):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match="Expected a CSV file with feature columns"):
        datasets.load_csv(path)  # and no loadtxt warning (warnings are errors here)


def test_every_public_name_is_importable_from_the_package():
    import importlib

    for name in datasets.__all__:
        assert getattr(datasets, name) is not None
    for module in ("generators", "loaders", "preprocessing"):
        part = importlib.import_module(f"xpnet.datasets.{module}")
        for name in part.__all__:
            assert getattr(part, name) is getattr(datasets, name, getattr(part, name))
    assert datasets.StandardScaler.__module__ == "xpnet.datasets.preprocessing"
