"""CharRNN, the course's language model as an estimator, and the dinosaur names.

With its defaults CharRNN repeats the course's "Dinosaurus Island" run (the smoothed
losses and the names sampled, as printed in the public run cited in
tests/test_course_rnn.py); on every backend it trains and samples as on NumPy; its
files and pickles hold the vocabulary and host arrays; bad input is refused by name.
"""

import hashlib
import json
import pickle
import re

import numpy as np
import pytest

import xpnet
from xpnet import CharRNN
from xpnet.datasets import load_dinos

LINES = ["abba", "baab", "cab", "abc", "bca", "aabbcc", "ccba", "ba"]


def test_load_dinos(dinos_dir):
    names = load_dinos(dinos_dir)
    assert len(names) == 1536 and names[0] == "aachenosaurus" and names[-1] == "zuul"
    path = next(
        p for p in (dinos_dir / "dinos.txt", dinos_dir / "dinos" / "dinos.txt") if p.is_file()
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "ad6465621cf56c08f71d4fbb40cf7eab763f9df42c54cc460d6c4d86e9c927fb"
    assert sorted(set("".join(names))) == list("abcdefghijklmnopqrstuvwxyz")


def test_load_dinos_says_what_is_missing(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="Expected the course's dinos.txt in"):
        load_dinos(tmp_path)
    monkeypatch.delenv("XPNET_DATA_DIR", raising=False)
    with pytest.raises(ValueError, match="set XPNET_DATA_DIR"):
        load_dinos()


def test_repeats_the_course_run(dinos_dir):
    """The course's losses at 0, 1,000 and 2,000 and the names it samples at 2,000."""
    with xpnet.use_backend("numpy"):
        model = CharRNN(num_iterations=2001).fit(load_dinos(dinos_dir))
    curve = [model.loss_curve_[j] for j in (0, 1000, 2000)]
    np.testing.assert_allclose(curve, [23.087336, 28.712699, 27.884160], atol=5e-7)
    expected = ["Liusskeomnolxeros", "Hmdaairus", "Hytroligoraurus", "Lecalosapaus",
                "Xusicikoraurus", "Abalpsamantisaurus", "Tpraneronxeros"]  # fmt: skip
    assert model.sample(7) == [name.lower() for name in expected]
    assert 1.5 < model.score(load_dinos(dinos_dir)) < np.log(27)


def small(num_iterations=300):
    return CharRNN(n_a=8, num_iterations=num_iterations).fit(LINES)


def test_every_backend_trains_and_samples_as_numpy(backend, float64):
    with xpnet.use_backend("numpy"):
        reference = small(60)
    model = small(60)
    for name, P in reference.parameters_.items():
        np.testing.assert_allclose(
            xpnet.to_numpy(model.parameters_[name]), P, rtol=1e-9, atol=1e-12
        )
    assert model.sample(5, seed=3) == reference.sample(5, seed=3)
    assert model.score(LINES) == pytest.approx(reference.score(LINES), rel=1e-10)


def test_learns_and_scores():
    model = small()
    assert model.vocabulary_ == ["\n", "a", "b", "c"]
    assert model.score(LINES) < np.log(4)  # better than uniform
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert all(set(line) <= set("abc") for line in model.sample(10))
    assert all(line.startswith("ab") for line in model.sample(3, prefix="ab"))


def test_save_load_and_pickle(tmp_path):
    model = small()
    path = model.save(tmp_path / "chars.npz")
    loaded = CharRNN.load(path)
    assert xpnet.load(path).sample(4, seed=1) == model.sample(4, seed=1)  # one loader for all
    assert loaded.vocabulary_ == model.vocabulary_ and loaded.get_params() == model.get_params()
    assert loaded.sample(4, seed=1) == model.sample(4, seed=1)
    assert loaded.score(LINES) == model.score(LINES)
    clone = pickle.loads(pickle.dumps(model))
    assert clone.sample(4, seed=1) == model.sample(4, seed=1)
    assert pickle.loads(pickle.dumps(CharRNN(n_a=3))).n_a == 3  # unfitted


def test_loads_on_another_backend(tmp_path):
    pytest.importorskip("torch")
    with xpnet.use_backend("numpy"):
        model = small()
        model.save(tmp_path / "m.npz")
    with xpnet.use_backend("torch", "cpu"):
        loaded = CharRNN.load(tmp_path / "m.npz")
        assert xpnet.Backend.of(loaded.parameters_["Waa1"]).name == "torch"
        assert loaded.sample(3) == model.sample(3)
    placed = xpnet.load(tmp_path / "m.npz", backend="torch", device="cpu")
    assert xpnet.Backend.of(placed.parameters_["Waa1"]).name == "torch"


def test_refuses_bad_input(tmp_path):
    with pytest.raises(ValueError, match="Received: an empty text"):
        CharRNN().fit([])
    with pytest.raises(ValueError, match="an empty line at 1"):
        CharRNN().fit(["ab", "  "])
    with pytest.raises(TypeError, match=r"Received: a str; pass text.split"):
        CharRNN().fit("abc\nabd")
    with pytest.raises(ValueError, match="Expected no newline inside a line"):
        CharRNN().fit(["a\nb"])
    with pytest.raises(ValueError, match=r"Invalid n_a. Expected an int in the range \[1, inf\)"):
        CharRNN(n_a=0).fit(LINES)
    with pytest.raises(ValueError, match="Invalid clip_value"):
        CharRNN(clip_value=-1).fit(LINES)
    with pytest.raises(xpnet.NotFittedError, match="not fitted"):
        CharRNN().sample(1)
    model = small()
    with pytest.raises(
        ValueError, match=r"Invalid line\. Expected characters of the vocabulary 'abc'.*\['z'\]"
    ):
        model.score(["abz"])
    with pytest.raises(ValueError, match=r"Invalid prefix.*\['x'\]"):
        model.sample(1, prefix="x")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="Invalid xpnet model file"):
        CharRNN.load(tmp_path / "other.npz")


def test_cli_trains_and_samples(dinos_dir, tmp_path, monkeypatch, capsys):
    from xpnet.cli import main

    monkeypatch.setenv("XPNET_DATA_DIR", str(dinos_dir))
    path = tmp_path / "dinos.npz"
    args = ["train", "--model", "char_rnn", "--data", "dinos", "--epochs", "1001", "--no-progress"]
    assert main([*args, "--backend", "numpy", "--save", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Loss after 1001 iterations: 28.712699" in out  # the course's, at 1,000
    assert "Nivusahidoraveros" in out  # the course's first name sampled at 1,000
    assert CharRNN.load(path).sample(1) == ["nivusahidoraveros"]
    for command in (["evaluate", str(path)], ["train", "--resume", str(path), "--epochs", "1"]):
        capsys.readouterr()
        assert main(command) == 2  # a language model is not evaluated or resumed there
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Received: a CharRNN's file" in err
    text = tmp_path / "words.txt"
    text.write_text("\n".join(LINES))
    assert main(["train", "--model", "char_rnn", "--data", str(text), "--epochs", "20",
                 "--hidden", "6", "--no-progress", "--backend", "numpy"]) == 0  # fmt: skip
    capsys.readouterr()
    missing = str(tmp_path / "none.txt")
    code = main(["train", "--model", "char_rnn", "--data", missing, "--backend", "numpy"])
    assert code != 0 and "Expected dinos or a text file" in capsys.readouterr().err


def rewrite(path, header=None, arrays=None):
    """Rewrite a saved file with its JSON header and its arrays changed in place."""
    with np.load(path) as f:
        contents = dict(f)
    saved = json.loads(str(contents["header"]))
    (header or (lambda h: None))(saved)
    (arrays or (lambda a: None))(contents)
    contents["header"] = np.asarray(json.dumps(saved))
    np.savez(path, **contents)


@pytest.mark.parametrize(
    "header, arrays, message",
    [
        (lambda h: h.pop("vocabulary"), None, "vocabulary=None is not the newline"),
        (lambda h: h.update(vocabulary=["a", "\n", "b", "c"]), None, "vocabulary="),
        (lambda h: h.update(vocabulary=["\n", "a", "a", "c"]), None, "vocabulary="),
        (lambda h: h["hyperparameters"].update(foo=1), None, "not describe a valid CharRNN"),
        (lambda h: h["hyperparameters"].update(n_a="x"), None, "Received: n_a='x'"),
        (lambda h: h["hyperparameters"].pop("n_a"), None, r"parameter Wax1 has shape \(8, 4\)"),
        (lambda h: h.update(vocabulary=["\n", "a", "b"]), None, r"expected .* \(8, 3\)"),
        (lambda h: h.update(vocabulary=["\n", *"abcd"]), None, r"expected .* \(8, 5\)"),
        (None, lambda a: a["W2"].__setitem__((0, 0), np.nan), "W2 holds NaN"),
        (None, lambda a: a.pop("ba1"), r"parameters \[.*\], expected .*'ba1'"),
        (None, lambda a: a.update(loss_curve=np.zeros((2, 2))), "expected loss_curve of floats"),
    ],
    ids=[
        "no-vocabulary",
        "newline-not-first",
        "repeated",
        "unknown-hyperparameter",
        "bad-n_a",
        "default-n_a",
        "short",
        "long",
        "nan",
        "missing",
        "curve",
    ],
)
def test_a_bad_file_is_refused_at_load(tmp_path, header, arrays, message):
    path = small(20).save(tmp_path / "chars.npz")
    rewrite(path, header, arrays)
    for load in (xpnet.load, CharRNN.load):
        with pytest.raises(xpnet.io.InvalidModelFileError, match=f"chars.npz'.*{message}"):
            load(path)


def test_a_file_saved_after_set_params_still_loads(tmp_path):
    model = small(20)
    model.n_a = 3  # the fitted model keeps its 8 units
    assert CharRNN.load(model.save(tmp_path / "m.npz")).sample(3) == model.sample(3)
    assert model.score(LINES) > 0


def test_the_newline_is_first_whatever_the_characters():
    model = CharRNN(n_a=4, num_iterations=5).fit(["a\tb", "ab"])  # a tab sorts before it
    assert model.vocabulary_ == ["\n", "\t", "a", "b"]


@pytest.mark.parametrize("seed", [-1, 2**32, None, "a", 1.0, True])
def test_refuses_a_bad_random_state(seed):
    received = re.escape(f"random_state={seed!r}")
    with pytest.raises(
        ValueError, match=rf"^Invalid random_state\. Expected an int .*{received}$"
    ):
        CharRNN(n_a=4, num_iterations=2, random_state=seed).fit(LINES)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"seed": -1}, "seed"),
        ({"seed": None}, "seed"),
        ({"seed": 2**32 - 1}, "seed"),
        ({"n": -1}, "n"),
        ({"n": 1.5}, "n"),
        ({"max_length": -5}, "max_length"),
        ({"max_length": 0}, "max_length"),
        ({"prefix": 3}, "prefix"),
        ({"prefix": ["a"]}, "prefix"),
    ],
)
def test_sample_refuses_bad_arguments(kwargs, name):
    model = small(5)
    value = next(iter(kwargs.values()))
    error = TypeError if name == "prefix" else ValueError
    received = re.escape(f"{name}={value!r}")
    with pytest.raises(error, match=rf"^Invalid {name}\. Expected .*\. Received: {received}$"):
        model.sample(**kwargs)
    assert model.sample(0) == []
