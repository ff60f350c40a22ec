"""The hand-picked cases of the robustness review, one test each, so that they stay fixed.

Section 1: data loss (a file or a model that cannot be loaded back). Section 2: silent
nonsense (a "successful" fit that is not, leaked internals). Each case states what xpnet
must do; the properties of the other modules generalise them.
"""

from __future__ import annotations

import copy
import io
import json
import math
import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the robustness suite draws its cases with hypothesis")

import xpnet

from .oracle import (
    Refused,
    assert_finite_model,
    assert_sound_predictions,
    attempt,
    host,
    refused,
)
from .test_cli import assert_honest_exit, run_cli
from .test_functional import course

rng = np.random.RandomState(0)
X = rng.randn(20, 3)
y = (X[:, 0] > 0).astype(int)


def own_refusal(outcome, what: str) -> Refused:
    assert refused(outcome), f"{what}: accepted, giving {outcome!r}"
    return outcome


def sound_or_refused(model, outcome, Xp=X) -> None:
    if not refused(outcome):
        assert_finite_model(model)
        assert_sound_predictions(model, Xp)


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("".join(f"{a!r},{b!r},{int(a > 0)}\n" for a, b in rng.randn(30, 2).tolist()))
    return path


# -- 1. Data loss ------------------------------------------------------------------------


def test_saving_after_set_params_keeps_a_loadable_file(tmp_path):
    m = xpnet.TwoLayerNet(n_h=4, num_iterations=2, progress=False, random_state=0).fit(X, y)
    expected = m.predict_proba(X)
    path = tmp_path / "m.npz"
    m.save(path)
    m.set_params(n_h=8)
    attempt(m.save, path)
    loaded = attempt(xpnet.load, path)
    assert not refused(loaded), f"the file no longer loads: {loaded}"
    np.testing.assert_allclose(loaded.predict_proba(X), expected)  # n_h: only W1's 4 rows fit


@pytest.mark.parametrize("change", [{"n_h": 8}, {"num_iterations": 0}, {"activation": "tanh"}])
@pytest.mark.parametrize("how", ["pickle", "joblib", "deepcopy"])
def test_a_copy_after_set_params_loads(change, how):
    m = xpnet.TwoLayerNet(n_h=4, num_iterations=2, progress=False, random_state=0).fit(X, y)
    expected = m.predict_proba(X)
    m.set_params(**change)
    if how == "pickle":
        dumped = attempt(pickle.dumps, m)
        back = dumped if refused(dumped) else attempt(pickle.loads, dumped)
    elif how == "joblib":
        joblib = pytest.importorskip("joblib")
        buffer = io.BytesIO()
        dumped = attempt(joblib.dump, m, buffer)
        buffer.seek(0)
        back = dumped if refused(dumped) else attempt(joblib.load, buffer)
    else:
        back = attempt(copy.deepcopy, m)
    if refused(back) and how != "deepcopy" and back is dumped:
        return  # refused to be written: allowed
    assert not refused(back), f"{how} after set_params({change}): {back}"
    now = attempt(m.predict_proba, X)
    answers = [expected] if refused(now) else [expected, now]
    assert any(np.allclose(back.predict_proba(X), E) for E in answers), (
        f"{how} after set_params({change}) predicts neither as fitted nor as now"
    )


@pytest.mark.parametrize("new", [(7,), (4, 4), ()])
def test_a_warm_start_on_a_changed_architecture(new):
    m = xpnet.DeepNet(
        hidden_layer_sizes=(4,), warm_start=True, num_iterations=2, progress=False, random_state=0
    )
    m.fit(X, y)
    m.set_params(hidden_layer_sizes=new)
    outcome = attempt(m.fit, X, y)
    if not refused(outcome):
        trained = [host(m.parameters_[f"W{l}"]).shape[0] for l in range(1, len(new) + 1)]  # noqa: E741
        assert trained == list(new), f"reports {new}, trained {trained}"
        sound_or_refused(m, outcome)


@pytest.mark.parametrize(
    "option", ["--save DIR", "--save file.csv/x.npz", "--plot file.csv"], ids=str
)
def test_cli_output_paths_are_checked_before_training(option, csv_file):
    flag, target = option.split()
    path = {"DIR": csv_file.parent, "file.csv/x.npz": csv_file / "x.npz", "file.csv": csv_file}[
        target
    ]
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(csv_file), flag, str(path)]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2 and "Train accuracy" not in out, f"{option}: refused after training"
    assert ".tmp" not in err and str(path) in err, err


@pytest.mark.parametrize("how", ["save", "pickle", "deepcopy"])
def test_text_labels_in_object_arrays(how, tmp_path):
    pd = pytest.importorskip("pandas")
    labels = pd.Series(np.where(y == 1, "cat", "dog"), dtype=object)
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0).fit(X, labels)
    if how == "save":
        outcome = attempt(lambda: xpnet.load(m.save(tmp_path / "m.npz")))
    elif how == "pickle":
        outcome = attempt(lambda: pickle.loads(pickle.dumps(m)))
    else:
        outcome = attempt(copy.deepcopy, m)
    assert not refused(outcome), f"{how} of a model with text labels: {outcome}"
    assert list(outcome.classes_) == ["cat", "dog"]


# -- 2. Silent nonsense --------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"num_iterations": 1},
        {"num_iterations": 3, "cost_every": 2},
        {"num_iterations": 3, "tol": None},
    ],
    ids=["last update", "cost_every=2", "tol=None"],
)
def test_divergence_is_caught_whatever_is_recorded(settings):
    m = xpnet.DeepNet(
        optimizer="gd", learning_rate=1e308, progress=False, random_state=0, **settings
    )
    outcome = attempt(m.fit, X, y)
    sound_or_refused(m, outcome)


def test_the_planar_recipe_at_rate_1e308():
    from xpnet.datasets import make_planar

    Xp, yp = make_planar()[:2]
    m = xpnet.TwoLayerNet(**{**xpnet.recipes.PLANAR, "learning_rate": 1e308, "num_iterations": 50})
    outcome = attempt(m.fit, Xp, yp)
    sound_or_refused(m, outcome, Xp)


def test_cli_at_rate_1e308_does_not_exit_0(tmp_path):
    argv = ["train", "--no-progress", "--learning-rate", "1e308", "--epochs", "2"]
    argv += ["--save", str(tmp_path / "m.npz")]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    if status == 0:
        assert_finite_model(xpnet.load(tmp_path / "m.npz"))


@pytest.mark.parametrize("num_iterations", [1, 5])
def test_a_mini_batch_of_zero_weight(num_iterations):
    w = np.r_[np.zeros(10), np.ones(10)]
    m = xpnet.LogisticRegression(
        batch_size=5, shuffle=False, num_iterations=num_iterations, progress=False, random_state=0
    )
    outcome = attempt(m.fit, X, y, sample_weight=w)
    assert not refused(outcome), f"a zero-weight mini-batch: {outcome}"
    assert_finite_model(m)


LABEL_CASES = {
    "object with NaN": np.array([0, 1, math.nan, math.nan] * 5, dtype=object),
    "object [0, 0.5]": np.array([0, 0.5] * 10, dtype=object),
    "object [0, 'a']": np.array([0, "a"] * 10, dtype=object),
    "object with None": np.array([0, None] * 10, dtype=object),
}


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
def test_hostile_labels_are_refused(case):
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0)
    own_refusal(attempt(m.fit, X, LABEL_CASES[case]), case)


def test_a_second_partial_fit_with_other_classes_is_refused():
    m = xpnet.LogisticRegression(progress=False, random_state=0).partial_fit(X, y, classes=[0, 1])
    own_refusal(attempt(m.partial_fit, X, y, classes=[0, 1, 2]), "classes changed")


def test_partial_fit_with_nan_among_the_classes_is_refused():
    m = xpnet.LogisticRegression(progress=False, random_state=0)
    own_refusal(attempt(m.partial_fit, X, y, classes=[0, 1, math.nan]), "classes with NaN")


@pytest.mark.parametrize("how", ["warm start", "partial_fit"])
def test_dask_labels_are_checked_against_classes(how):
    da = pytest.importorskip("dask.array")
    m = xpnet.LogisticRegression(num_iterations=2, warm_start=True, progress=False, random_state=0)
    if how == "warm start":
        m.fit(X, y)
    else:
        m.partial_fit(X, y, classes=[0, 1])
    y_unseen = np.where(y == 1, 2, 0)
    Xd, yd = da.from_array(X, chunks=10), da.from_array(y_unseen, chunks=10)
    call = m.fit if how == "warm start" else m.partial_fit
    own_refusal(attempt(call, Xd, yd), f"{how} on Dask with an unseen label 2")


def _library_arrays(library: str):
    """A function putting host arrays on ``library`` (keeping their dtype)."""
    if library == "torch":
        torch = pytest.importorskip("torch")
        return lambda a: torch.asarray(a)
    if library == "jax":
        pytest.importorskip("jax")
        import jax.numpy as jnp

        return lambda a: jnp.asarray(a)
    da = pytest.importorskip("dask.array")
    return lambda a: da.from_array(a, chunks=10)


BACKEND_CASES = {
    "complex X": lambda put: ((put(X + 1j), put(y)), {}),
    "complex y": lambda put: ((put(X), put(y + 1j)), {}),
    "negative weights": lambda put: (
        (put(X), put(y)),
        {"sample_weight": put(np.r_[-1.0, np.ones(19)])},
    ),
    "zero weights": lambda put: ((put(X), put(y)), {"sample_weight": put(np.zeros(20))}),
}


@pytest.mark.parametrize("case", sorted(BACKEND_CASES))
@pytest.mark.parametrize("library", ["torch", "jax", "dask"])
def test_backend_arrays_get_the_hosts_checks(library, case):
    put = _library_arrays(library)
    args, kwargs = BACKEND_CASES[case](put)
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0)
    own_refusal(attempt(m.fit, *args, **kwargs), f"{case} on {library}")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_input_trains_in_the_allowed_dtypes(dtype):
    torch = pytest.importorskip("torch")
    Xh = torch.asarray(X).to(getattr(torch, dtype))
    m = xpnet.TwoLayerNet(n_h=3, num_iterations=2, progress=False, random_state=0)
    outcome = attempt(m.fit, Xh, torch.asarray(y))
    sound_or_refused(m, outcome, Xh)


FUNCTIONAL_CASES = {
    "propagate with Y of shape (m, 1)": lambda: course("propagate")(
        np.zeros((3, 1)), 0.0, rng.randn(3, 20), np.ones((20, 1))
    ),
    "L_model_forward on a 1-D X": lambda: course("L_model_forward")(
        rng.randn(3), course("initialize_parameters")([3, 2, 1], random_state=0)
    ),
    "parameters without b2": lambda: course("L_model_forward")(
        rng.randn(3, 4),
        {
            k: v
            for k, v in course("initialize_parameters")([3, 2, 1], random_state=0).items()
            if k != "b2"
        },
    ),
    "random_mini_batches of size 0": lambda: course("random_mini_batches")(
        rng.randn(2, 6), np.ones((1, 6)), 0
    ),
    "random_mini_batches of size -1": lambda: course("random_mini_batches")(
        rng.randn(2, 6), np.ones((1, 6)), -1
    ),
    "initialize_parameters([3, 2.7])": lambda: course("initialize_parameters")([3, 2.7]),
}


@pytest.mark.parametrize("case", sorted(FUNCTIONAL_CASES))
def test_the_functional_layer_does_not_broadcast(case):
    own_refusal(attempt(FUNCTIONAL_CASES[case]), case)


@pytest.mark.parametrize("case", ["2-D y", "negative weights", "all-zero weights"], ids=str)
def test_score_checks_its_arguments(case):
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0).fit(X, y)
    args = {
        "2-D y": (X, np.c_[y, y]),
        "negative weights": (X, y, np.r_[-1.0, np.ones(19)]),
        "all-zero weights": (X, y, np.zeros(20)),
    }[case]
    own_refusal(attempt(m.score, *args), f"score with {case}")


def test_exponential_decay_faster_than_one():
    m = xpnet.LogisticRegression(
        lr_decay="exponential", decay_rate=1e308, num_iterations=3, progress=False, random_state=0
    )
    sound_or_refused(m, attempt(m.fit, X, y))


def test_cli_exponential_decay_faster_than_one_is_one_line(csv_file):
    argv = ["train", "--no-progress", "--data", str(csv_file), "--epochs", "3"]
    argv += ["--lr-decay", "exponential", "--decay-rate", "1e308"]
    assert_honest_exit(argv, *run_cli(argv))


def test_masked_arrays_do_not_lose_their_mask():
    Xm = np.ma.masked_array(X, mask=np.eye(20, 3, dtype=bool))
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0)
    own_refusal(attempt(m.fit, Xm, y), "a masked X")


def test_a_bad_random_state_is_named():
    m = xpnet.LogisticRegression(random_state=-1, num_iterations=2, progress=False)
    outcome = own_refusal(attempt(m.fit, X, y), "random_state=-1")
    assert "random_state" in str(outcome.error), outcome


def test_a_csv_of_1e300_does_not_standardise_to_zero(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(
        "".join(
            f"{a * 1e300!r},{b * 1e300!r},{int(a > 0)}\n" for a, b in rng.randn(30, 2).tolist()
        )
    )
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(path)]
    argv += ["--save", str(tmp_path / "m.npz")]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    if status == 0:
        scale = np.asarray(xpnet.load(tmp_path / "m.npz").metadata_["standardize"]["scale"])
        assert np.isfinite(scale).all(), f"standardised with scale {scale}"


@pytest.mark.parametrize("option", [["--print-every", "0"], ["--backend", ""]], ids=str)
def test_cli_options_are_not_ignored(option, csv_file):
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(csv_file), *option]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2, f"{option} ignored"


def saved_model(csv_file, tmp_path):
    """A model trained for two epochs on ``csv_file`` and saved, as the first command."""
    path = tmp_path / "m.npz"
    argv = ["train", "--no-progress", "--epochs", "2", "--data", str(csv_file)]
    assert run_cli([*argv, "--save", str(path)])[0] == 0
    return path


@pytest.mark.parametrize("option", [["--model", "deep"], ["--hidden", "9"]], ids=str)
def test_resume_says_what_it_ignores(option, csv_file, tmp_path):
    path = saved_model(csv_file, tmp_path)
    argv = ["train", "--no-progress", "--epochs", "2", "--resume", str(path), *option]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2 or option[0] in out + err, f"--resume ignored {option} silently"


def test_evaluate_on_hand_edited_metadata(csv_file, tmp_path):
    path = saved_model(csv_file, tmp_path)
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("header")))
    header["metadata"]["data"] = True
    with open(path, "wb") as f:
        np.savez(f, header=np.asarray(json.dumps(header)), **arrays)
    argv = ["evaluate", str(path)]
    assert_honest_exit(argv, *run_cli(argv))


def test_a_huge_hidden_layer_is_refused_with_its_size():
    m = xpnet.TwoLayerNet(n_h=10**12, num_iterations=1, progress=False, random_state=0)
    own_refusal(attempt(m.fit, X, y), "10**12 hidden units")


def test_no_warning_from_a_tensor_that_requires_grad():
    torch = pytest.importorskip("torch")
    Xt = torch.asarray(X).requires_grad_(True)
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0)
    sound_or_refused(m, attempt(m.fit, Xt, torch.asarray(y)), Xt.detach())


def test_no_overflow_warning_near_the_float_maximum():
    Xbig = X.copy()
    Xbig[0, 0] = 1.7e308
    m = xpnet.LogisticRegression(num_iterations=2, progress=False, random_state=0)
    sound_or_refused(m, attempt(m.fit, Xbig, y), Xbig)


def test_no_loadtxt_warning_for_an_empty_csv(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    argv = ["train", "--no-progress", "--data", str(path)]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)
    assert status == 2


DIVIDE_CASES = {
    "update_parameters_with_adam(t=0)": lambda: _adam(0),
    "compute_cost on an empty batch": lambda: course("compute_cost")(
        np.zeros((1, 0)), np.zeros((1, 0))
    ),
    "dropout with keep_prob=0": lambda: course("dropout_forward")(
        np.ones((2, 2)), np.ones((2, 2)), 0.0
    ),
}


def _adam(t):
    p = course("initialize_parameters")([2, 1], random_state=0)
    grads = {"d" + k: np.ones_like(host(v)) for k, v in p.items()}
    v, s = course("initialize_adam")(p)
    return course("update_parameters_with_adam")(p, grads, v, s, t)


@pytest.mark.parametrize("case", sorted(DIVIDE_CASES))
def test_no_divide_warnings(case):
    own_refusal(attempt(DIVIDE_CASES[case]), case)


def test_argparse_errors_are_one_line():
    argv = ["train", "--model", "cnn"]
    status, out, err = run_cli(argv)
    assert_honest_exit(argv, status, out, err)


def test_ctrl_c_in_the_cli_is_one_plain_line(csv_file, tmp_path, monkeypatch):
    import tqdm

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tqdm.tqdm, "write", interrupt)
    path = tmp_path / "m.npz"
    argv = ["train", "--no-progress", "--epochs", "3", "--print-every", "1"]
    argv += ["--data", str(csv_file), "--save", str(path)]
    with warnings.catch_warnings():
        status, _, err = run_cli(argv)
    assert "Warning" not in err and ".py" not in err, f"Ctrl-C announced as:\n{err}"
    assert len(err.strip().splitlines()) <= 1, err
    assert status in (0, 130), status
    assert_finite_model(xpnet.load(path))


def test_a_saved_file_is_readable_as_a_plain_file_is(tmp_path):
    from .test_files import test_a_saved_file_has_the_mode_a_plain_open_gives as check

    check(tmp_path)
