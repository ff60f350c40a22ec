"""Model files: corrupted bytes, hand-edited headers and arrays, and the file's mode."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")
from hypothesis import strategies as st

import xpnet

from .oracle import assert_finite_model, assert_sound_predictions, attempt, refused
from .strategies import MODEL_NAMES, PROFILES, check_all, classes_of, estimator

X = np.random.RandomState(0).randn(12, 3)


@pytest.fixture(scope="module")
def saved_files(tmp_path_factory) -> dict[str, bytes]:
    """The bytes of a saved model of each class: two classes, and three for the softmax."""
    folder = tmp_path_factory.mktemp("models")
    files = {}
    for name in MODEL_NAMES:
        for k in (2, 3):
            path = (
                estimator(name, random_state=0)
                .fit(X, classes_of(12, k))
                .save(folder / f"{name}-{k}.npz")
            )
            files[f"{name}-{k}"] = path.read_bytes()
    return files


def _load_honestly(data: bytes) -> None:
    """Write ``data`` to a file and load it: refused as invalid, or a sound model."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(data)
        model = attempt(xpnet.load, path)
    if refused(model):
        return
    assert_finite_model(model)
    assert_sound_predictions(model, X)


@st.composite
def corruptions(draw, size: int) -> tuple[str, int, int]:
    """(how, where, what): truncate at, flip bits of the byte at, zero a run at, append."""
    how = draw(st.sampled_from(["truncate", "flip", "zero 16 bytes", "append"]))
    where = draw(st.integers(0, size - 1))
    what = draw(st.integers(1, 255))
    return how, where, what


def corrupt(data: bytes, how: str, where: int, what: int) -> bytes:
    if how == "truncate":
        return data[:where]
    if how == "append":
        return data + bytes([what]) * where
    b = bytearray(data)
    if how == "flip":
        b[where] ^= what
    else:
        b[where : where + 16] = bytes(len(b[where : where + 16]))
    return bytes(b)


@pytest.mark.parametrize("profile", PROFILES)
def test_corrupted_files_are_refused(profile, saved_files):
    """Truncated or bit-flipped files: an InvalidModelFileError, or (if the bytes did not
    matter) a sound model; never another error."""
    names = st.sampled_from(sorted(saved_files))
    cases = names.flatmap(lambda n: st.tuples(st.just(n), corruptions(len(saved_files[n]))))

    def check(case):
        name, (how, where, what) = case
        _load_honestly(corrupt(saved_files[name], how, where, what))

    check_all(profile, cases, check, 6)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=5,
)


def _rewrite(data: bytes, edit) -> bytes:
    """The file with its header and arrays passed through ``edit(header, arrays)``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(data)
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        header = json.loads(str(arrays.pop("header")))
        header, arrays = edit(header, arrays)
        with open(path, "wb") as f:
            np.savez(f, header=np.asarray(json.dumps(header)), **arrays)
        return path.read_bytes()


@pytest.mark.parametrize("profile", PROFILES)
def test_hand_edited_headers_are_refused(profile, saved_files):
    """Any field of the JSON header set to any JSON value: refused as invalid, or sound."""

    def check(case):
        name, data = case
        original = json.loads(_header_text(saved_files[name]))
        keys = sorted(original) + [f"hyperparameters.{k}" for k in original["hyperparameters"]]
        key = data.draw(st.sampled_from(keys), label="field")
        value = data.draw(json_values, label="value")

        def edit(header, arrays):
            if key.startswith("hyperparameters."):
                header["hyperparameters"][key.split(".", 1)[1]] = value
            else:
                header[key] = value
            return header, arrays

        _load_honestly(_rewrite(saved_files[name], edit))

    check_all(profile, st.tuples(st.sampled_from(sorted(saved_files)), st.data()), check, 8)


@pytest.mark.parametrize("profile", PROFILES)
def test_hand_edited_arrays_are_refused(profile, saved_files):
    """An array of the file dropped, reshaped, made NaN, text or complex: refused, or sound."""
    edits = st.sampled_from(["drop", "reshape", "nan", "text", "complex", "int", "0-d"])

    def check(case):
        name, how, data = case
        with np.load(_as_file(saved_files[name])) as npz:
            names = sorted(k for k in npz.files if k != "header")
        target = data.draw(st.sampled_from(names), label="array")

        def edit(header, arrays):
            a = arrays[target]
            if how == "drop":
                del arrays[target]
            elif how == "reshape":
                arrays[target] = a.reshape(-1)
            elif how == "nan":
                arrays[target] = np.full(a.shape, np.nan)
            elif how == "text":
                arrays[target] = np.full(a.shape, "x")
            elif how == "complex":
                arrays[target] = a + 1j
            elif how == "int":
                arrays[target] = np.ones(a.shape, dtype=np.int64)
            else:
                arrays[target] = np.float64(1.0)
            return header, arrays

        _load_honestly(_rewrite(saved_files[name], edit))

    cases = st.tuples(st.sampled_from(sorted(saved_files)), edits, st.data())
    check_all(profile, cases, check, 6)


def _as_file(data: bytes):
    import io

    return io.BytesIO(data)


def _header_text(data: bytes) -> str:
    with np.load(_as_file(data)) as npz:
        return str(npz["header"])


def test_a_saved_file_has_the_mode_a_plain_open_gives(tmp_path):
    """A model saved for a serving process under another user can be read by it."""
    umask = os.umask(0o022)
    os.umask(umask)
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    path = estimator("LogisticRegression").fit(X, classes_of(12)).save(tmp_path / "m.npz")
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode), (
        f"saved with mode {oct(stat.S_IMODE(path.stat().st_mode))} under umask {oct(umask)}"
    )
