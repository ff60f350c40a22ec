import errno
import io as io_module
import json
import os
import stat
import zipfile

import numpy as np
import pytest

import xpnet
from xpnet import io
from xpnet.datasets import make_planar

X, Y = make_planar()


def fitted(model_class=xpnet.TwoLayerNet, **kw):
    return model_class(num_iterations=50, random_state=0, **kw).fit(X, Y)


@pytest.mark.parametrize(
    "model_class", [xpnet.LogisticRegression, xpnet.TwoLayerNet, xpnet.DeepNet]
)
def test_save_then_load_on_every_backend(backend, tmp_path, model_class):
    with xpnet.use_backend("numpy"):
        model = fitted(model_class)
    path = model.save(tmp_path / "model.npz")
    loaded = xpnet.load(path)
    assert type(loaded) is model_class and loaded.get_params() == model.get_params()
    assert loaded.backend_.name == backend.name
    assert loaded.trained_on_ == {"backend": "numpy", "device": "cpu", "dtype": "float64"}
    assert loaded.costs_ == model.costs_ and loaded.n_iter_ == model.n_iter_
    tol = 1e-12 if backend.dtype == backend.xp.float64 else 1e-5
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=tol, atol=tol)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_trained_on_device1_loads_on_numpy_and_torch(tmp_path):
    pytest.importorskip("array_api_strict")
    with xpnet.use_backend("array_api_strict", "device1"):
        model = fitted(xpnet.DeepNet, hidden_layer_sizes=(5, 3))
        path = model.save(tmp_path / "strict.npz")
        expected = model.predict_proba(X)
    for name in ("numpy", "torch"):
        try:
            loaded = xpnet.load(path, backend=name)
        except xpnet.BackendUnavailableError:
            continue
        assert loaded.backend_.name == name and loaded.trained_on_["device"] == "device1"
        np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-12, atol=1e-15)


def test_string_classes_and_metadata_survive(tmp_path):
    model = xpnet.LogisticRegression(num_iterations=5).fit(X, np.array(["red", "blue"])[Y])
    loaded = xpnet.load(model.save(tmp_path / "m.npz", metadata={"data": "planar"}))
    assert loaded.classes_.tolist() == ["blue", "red"]
    assert loaded.metadata_ == {"data": "planar"}
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("metadata", [{"a": {1}}, ["planar"], {"f": print}])
def test_metadata_that_json_cannot_hold_is_refused_before_writing(tmp_path, metadata):
    with pytest.raises(TypeError, match=r"Invalid metadata\. Expected a dict of JSON values"):
        fitted().save(tmp_path / "m.npz", metadata=metadata)
    assert list(tmp_path.iterdir()) == []


def test_training_continues_from_a_loaded_model(tmp_path):
    straight = xpnet.TwoLayerNet(num_iterations=100, random_state=0, cost_every=25).fit(X, Y)
    half = xpnet.TwoLayerNet(num_iterations=50, random_state=0, cost_every=25).fit(X, Y)
    resumed = xpnet.load(half.save(tmp_path / "half.npz")).set_params(warm_start=True).fit(X, Y)
    assert (
        resumed.epochs_trained_ == 100
        and resumed.n_iter_ == 50
        and resumed.cost_iterations_ == [0, 25, 50, 75]
    )
    np.testing.assert_allclose(resumed.costs_, straight.costs_, rtol=1e-12)
    np.testing.assert_allclose(resumed.parameters_["W1"], straight.parameters_["W1"], rtol=1e-12)


def test_save_is_atomic(tmp_path, monkeypatch):
    model = fitted()
    path = model.save(tmp_path / "m.npz")
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # a crash in the middle of writing

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before  # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary left


def test_save_before_fit():
    with pytest.raises(xpnet.NotFittedError):
        xpnet.TwoLayerNet().save("never.npz")


def rewrite(path, change):
    """Rewrite a saved model with one of its arrays changed."""
    with np.load(path) as f:
        arrays = dict(f)
    change(arrays)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def npy_bytes():
    buffer = io_module.BytesIO()
    np.save(buffer, np.zeros(3))
    return buffer.getvalue()


def set_header(**fields):
    def change(arrays):
        header = json.loads(str(arrays["header"]))
        header.update(fields)
        arrays["header"] = np.asarray(json.dumps(header))

    return change


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda p: p.write_bytes(p.read_bytes()[:200]), "not a readable .npz archive"),
        (lambda p: p.write_bytes(b"garbage" * 100), "not a readable .npz archive"),
        (lambda p: p.write_bytes(npy_bytes()), "not an .npz archive"),
        (lambda p: rewrite(p, lambda a: a.pop("header")), "no xpnet header"),
        (
            lambda p: rewrite(p, lambda a: a.update(header=np.asarray("{not json"))),
            "not valid JSON",
        ),
        (lambda p: rewrite(p, set_header(format="other")), "no xpnet header"),
        (lambda p: rewrite(p, set_header(format_version=99)), "format version 99.*Upgrade xpnet"),
        (lambda p: rewrite(p, set_header(model="Pickle")), "unknown model 'Pickle'"),
        (
            lambda p: rewrite(p, set_header(hyperparameters={"n_h": -1})),
            "does not describe a valid TwoLayerNet",
        ),
        (
            lambda p: rewrite(p, lambda a: a.update({"parameter:W1": np.zeros((3, 2))})),
            r"parameter W1 has shape \(3, 2\)",
        ),
        (lambda p: rewrite(p, lambda a: a.pop("parameter:b2")), "parameters .* expected"),
        (
            lambda p: rewrite(p, lambda a: a.update(classes=np.array([1]))),
            "expected at least two classes",
        ),
    ],
    ids=[
        "truncated",
        "garbage",
        "npy",
        "no-header",
        "bad-json",
        "foreign",
        "newer",
        "unknown-model",
        "bad-hyperparameters",
        "bad-shape",
        "missing-parameter",
        "bad-classes",
    ],
)
def test_bad_files_raise_a_clear_error(tmp_path, corrupt, message):
    path = fitted().save(tmp_path / "m.npz")
    corrupt(path)
    with pytest.raises(ValueError, match=f"Invalid xpnet model file '.*m.npz': .*{message}"):
        xpnet.load(path)


def images_model():
    rng = np.random.RandomState(0)
    images, labels = rng.rand(20, 6, 6, 1), rng.randint(0, 3, 20)
    return xpnet.ConvNet(conv_filters=2, num_iterations=2, random_state=0).fit(images, labels)


@pytest.mark.parametrize(
    "model, corrupt, message",
    [
        ("deep", set_header(model="ConvNet"), r"Expected an image's shape .*input_shape=\(2,\)"),
        ("conv", set_header(input_shape=[36]), r"input_shape=\(36,\)"),
        ("conv", set_header(input_shape=[6, 6.5, 1]), r"input_shape=\[6, 6.5, 1\] is not a list"),
        ("conv", set_header(input_shape=[0, 6, 1]), r"is not a list of positive counts"),
        ("deep", set_header(input_shape=[2, 1, 1]), r"is not one a DeepNet takes"),
        ("conv", lambda a: a.update(classes=np.array([2, 1, 0])), r"sorted order.* \[2, 1, 0\]"),
        ("conv", lambda a: a.update(classes=np.array([0, 0, 2])), r"distinct classes"),
        ("deep", lambda a: a.update(classes=np.array(["b", "a"])), r"sorted order"),
        ("conv", lambda a: a.update(classes=np.array([0, np.nan, 2])), r"whole numbers.*nan"),
        ("conv", lambda a: a.update(classes=np.array([0, 0.5, 2])), r"whole numbers.*0\.5"),
    ],
    ids=[
        "dense-as-conv",
        "conv-of-rows",
        "fraction",
        "zero",
        "rows-of-images",
        "unsorted",
        "repeated",
        "unsorted-text",
        "nan",
        "fractional",
    ],
)
def test_files_that_do_not_fit_their_model_are_refused(tmp_path, model, corrupt, message):
    model = fitted(xpnet.DeepNet, hidden_layer_sizes=(4,)) if model == "deep" else images_model()
    path = model.save(tmp_path / "m.npz")
    rewrite(path, corrupt)
    with pytest.raises(io.InvalidModelFileError, match=f"'.*m.npz': .*{message}"):
        xpnet.load(path)


def test_whole_float_classes_load(tmp_path):
    model = xpnet.LogisticRegression(num_iterations=5).fit(X, Y.astype(np.float64))
    loaded = xpnet.load(model.save(tmp_path / "m.npz"))
    assert loaded.classes_.tolist() == [0.0, 1.0]


def test_pickled_arrays_are_refused_not_executed(tmp_path):
    path = fitted().save(tmp_path / "m.npz")
    rewrite(path, lambda a: a.update(classes=np.array([0, print], dtype=object)))
    with pytest.raises(ValueError, match="not a readable .npz archive"):
        xpnet.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        xpnet.load(tmp_path / "nothing.npz")


def test_the_file_is_an_npz_with_a_json_header(tmp_path):
    path = fitted().save(tmp_path / "m.npz")
    with zipfile.ZipFile(path) as z:
        assert "header.npy" in z.namelist()
    header = json.loads(str(np.load(path)["header"]))
    assert header["format"] == io.FORMAT and header["model"] == "TwoLayerNet"
    assert header["dtype"] == "float64" and header["backend"] == "numpy"


@pytest.mark.parametrize("where", ["folder", "folder/", "m.npz/"])
def test_saving_onto_a_folder_names_the_path_given(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match=f"not a folder. Received: path='{where}'") as e:
        fitted().save(where)
    assert ".tmp" not in str(e.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]  # nothing written


def test_a_failed_write_names_the_path_not_the_temporary_file(tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(13, "Permission denied", source, target)

    monkeypatch.setattr(io.os, "replace", refuse)
    path = tmp_path / "m.npz"
    with pytest.raises(PermissionError, match="Cannot write the model file '.*m.npz'") as e:
        fitted().save(path)
    assert ".tmp" not in str(e.value) and e.value.errno == 13
    assert list(tmp_path.iterdir()) == []  # no temporary left


def test_a_folder_that_is_a_file_is_named(tmp_path):
    (tmp_path / "plain").write_text("")
    with pytest.raises(NotADirectoryError, match="'.*plain' is a file"):
        io.check_writable(tmp_path / "plain" / "m.npz")


def test_check_writable_checks_the_suffix_and_creates_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"Invalid --save\. Expected a file name ending in \.npz"):
        io.check_writable(tmp_path / "m.csv", suffixes=(".npz",), name="--save")
    assert io.check_writable(tmp_path / "new" / "deeper" / "m.npz", suffixes=(".npz",))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077, 0o002])
def test_a_saved_file_has_the_mode_a_plain_open_gives(tmp_path, umask):
    previous = os.umask(umask)
    try:
        path = fitted().save(tmp_path / "m.npz")
        with open(tmp_path / "plain", "w"):
            pass
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE((tmp_path / "plain").stat().st_mode)


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = fitted().save(tmp_path / "m.npz")
    path.chmod(0o604)
    fitted().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o604


def test_reading_a_folder_says_so(tmp_path):
    with pytest.raises(IsADirectoryError, match="which is a folder"):
        xpnet.load(tmp_path)


def test_reading_from_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="nor does its folder '.*nowhere'"):
        xpnet.load(tmp_path / "nowhere" / "m.npz")


def test_a_permission_error_is_reported_as_one(tmp_path, monkeypatch):
    path = fitted().save(tmp_path / "m.npz")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(io, "open", denied, raising=False)
    with pytest.raises(PermissionError, match="Cannot read the model file '.*m.npz'"):
        xpnet.load(path)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="permissions do not bind root"
)
def test_an_unreadable_file_is_not_called_corrupted(tmp_path):
    path = fitted().save(tmp_path / "m.npz")
    path.chmod(0)
    with pytest.raises(PermissionError, match="Permission denied"):
        xpnet.load(path)


def test_an_input_output_error_is_not_called_corrupted(tmp_path, monkeypatch):
    path = fitted().save(tmp_path / "m.npz")

    def failing_disk(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(np, "load", failing_disk)
    with pytest.raises(OSError, match="Cannot read the model file .*Input/output error") as e:
        xpnet.load(path)
    assert not isinstance(e.value, ValueError)


def test_a_member_that_is_not_an_array_is_refused(tmp_path):
    """NumPy hands back a zip member without the .npy suffix as bytes: not a model's array."""
    path = fitted().save(tmp_path / "m.npz")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("notes", b"\x00\x01")
    with pytest.raises(io.InvalidModelFileError, match=r"members \['notes'\] are not arrays"):
        xpnet.load(path)


def test_a_format_2_file_still_loads(tmp_path):
    """Format 2 had no architecture in its header and kept LogisticRegression's own
    layout (w of shape (n_x, 1)); it loads as it did, predicting the same."""
    model = fitted(xpnet.LogisticRegression)
    path = model.save(tmp_path / "m.npz")

    def as_format_2(arrays):
        header = json.loads(str(arrays["header"]))
        del header["architecture"]
        header["format_version"] = 2
        arrays["header"] = np.asarray(json.dumps(header))
        arrays["parameter:w"] = arrays.pop("parameter:W1").T
        arrays["parameter:b"] = arrays.pop("parameter:b1")  # its optimiser state was W1's

    rewrite(path, as_format_2)
    loaded = xpnet.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(loaded.parameters_["w"], model.parameters_["w"])


def test_a_replaced_folder_is_whole_or_as_it_was(tmp_path):
    folder = tmp_path / "store"
    with io.replacing(folder, "the store", folder=True) as new:
        (new / "a").write_text("first")
    assert [p.name for p in folder.iterdir()] == ["a"]
    with pytest.raises(KeyboardInterrupt), io.replacing(folder, "the store", folder=True) as new:
        (new / "b").write_text("half")
        raise KeyboardInterrupt  # a crash in the middle of writing
    assert [p.name for p in folder.iterdir()] == ["a"]  # the old folder is intact
    with io.replacing(folder, "the store", folder=True) as new:
        (new / "b").write_text("second")
    assert [p.name for p in folder.iterdir()] == ["b"] and (folder / "b").read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # nothing aside, no temporary


def test_a_folder_that_cannot_take_its_place_is_put_back(tmp_path, monkeypatch):
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "a").write_text("kept")
    rename = os.replace

    def refuse_the_new(source, target):
        if str(source).endswith(".tmp"):
            raise PermissionError(13, "Permission denied", source, target)
        rename(source, target)

    monkeypatch.setattr(io.os, "replace", refuse_the_new)
    with (
        pytest.raises(PermissionError, match="Cannot write the store") as e,
        io.replacing(folder, "the store", folder=True) as new,
    ):
        (new / "b").write_text("new")
    assert ".tmp" not in str(e.value)
    assert [p.name for p in tmp_path.iterdir()] == ["store"]
    assert (folder / "a").read_text() == "kept"


def test_saving_through_a_link_writes_its_file_and_keeps_the_link(tmp_path):
    real = fitted().save(tmp_path / "real.npz")
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    model = fitted(xpnet.LogisticRegression)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert type(xpnet.load(real)) is xpnet.LogisticRegression
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.npz", "real.npz"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_is_never_replaced_by_a_file(tmp_path):
    pipe = tmp_path / "pipe.npz"
    os.mkfifo(pipe)
    with pytest.raises(ValueError, match=r"Invalid path\. Expected a regular file\. .*named pipe"):
        fitted().save(pipe)
    refused = pytest.raises(ValueError, match="expected a regular file, which is a named pipe")
    with refused, io.replacing(pipe, "the pipe"):
        pass
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe.npz"]


def test_a_linked_folder_is_replaced_behind_its_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a").write_text("old")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with io.replacing(tmp_path / "link", "the store", folder=True) as new:
        (new / "b").write_text("new")
    assert (tmp_path / "link").is_symlink()
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
