"""A fitted estimator's state, in one object: what it was fitted with and what it learnt.

:class:`FittedState` holds the fitted network's architecture, the hyperparameters it
was fitted with, the training state (parameters in the engine's layout, the optimiser's
state, the counters), the classes, and where the arrays live. An estimator keeps it on
one attribute, ``fitted_``, and nothing else; a later ``set_params`` changes the
estimator, never its fitted state, so a file or a pickle always holds a model that
loads back.

Its host form (:meth:`FittedState.to_state`) is a JSON-able header and NumPy arrays:
what :mod:`xpnet.io` writes and a pickle holds. A model saved or pickled on one backend
loads on any other, and loading never executes code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np  # edge: the host form of a model

from .._version import __version__
from ..backend import Backend, device_name, dtype_name, get_backend, to_numpy
from ..network import Network
from ..optimizers import get_optimizer, state_keys
from ..training import TrainingState

__all__ = ["Architecture", "FittedState", "json_safe", "placement"]

Array = Any


@dataclass(frozen=True)
class Architecture:
    """The layer sizes n_x, n_1, ..., n_L, the hidden activation and the output head."""

    dims: tuple[int, ...]
    activation: str | None  # None: no hidden layers
    output: str

    @property
    def network(self) -> Network:
        """The network that predicts with these layers (no dropout, no L2)."""
        return self.training_network()

    def training_network(self, *, keep_prob: float = 1.0, l2: float = 0.0) -> Network:
        """The network that trains these layers, with dropout and L2."""
        hidden = self.activation or "relu"  # without hidden layers, it is never applied
        L = len(self.dims) - 1
        return Network.dense(L, hidden, self.output, keep_prob=keep_prob, l2=l2)

    def shapes(self) -> dict[str, tuple[int, int]]:
        """``{"W1": (n_1, n_x), "b1": (n_1, 1), ...}``: the parameters' shapes."""
        shapes: dict[str, tuple[int, int]] = {}
        for l in range(1, len(self.dims)):  # noqa: E741 (the course's layer index)
            shapes |= {f"W{l}": (self.dims[l], self.dims[l - 1]), f"b{l}": (self.dims[l], 1)}
        return shapes

    @property
    def multilabel(self) -> bool:
        """K > 1 independent sigmoids: a classifier of multilabel targets."""
        return self.output == "sigmoid" and self.dims[-1] > 1

    def describe(self) -> str:
        hidden = self.dims[1:-1]
        return f"{len(hidden)} hidden layer(s) of sizes {hidden} ({self.activation})"


def json_safe(value: Any) -> Any:
    """A hyperparameter as JSON holds it: tuples as lists, NumPy scalars as numbers, and
    a random generator as None (its state is not a hyperparameter worth keeping)."""
    if isinstance(value, tuple | list):
        return [json_safe(v) for v in value]
    if isinstance(value, np.random.RandomState | np.random.Generator):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class FittedState:
    """Everything ``fit`` leaves on an estimator, and nothing it was not fitted with.

    Attributes
    ----------
    hyperparameters : dict
        The estimator's ``get_params()`` when it was fitted, JSON-safe.
    architecture : Architecture
    training : TrainingState
        Parameters in the engine's layout ``{"W1", "b1", ...}``, the optimiser's state,
        the epoch and stopping counters, the recorded costs.
    classes : NumPy array of shape (n_classes,), or None for a regressor
    backend : Backend or None
        Where the arrays live; None for a model unpickled where its backend is missing,
        whose arrays wait on the host (``trained_on`` says where they came from).
    trained_on : dict
        ``{"backend", "device", "dtype"}`` of the run that fitted it.
    metadata : dict
        Notes kept with a saved file (the command line keeps its data set there).
    feature_names : NumPy array of str, or None
        The columns' names of the data it was fitted on (a DataFrame's), if it had them.
    """

    hyperparameters: dict[str, Any]
    architecture: Architecture
    training: TrainingState
    classes: np.ndarray | None
    backend: Backend | None
    trained_on: dict[str, str]
    metadata: dict[str, Any] = field(default_factory=dict)
    unavailable: str | None = None  # why ``backend`` is None
    feature_names: np.ndarray | None = None

    @classmethod
    def after_training(
        cls,
        hyperparameters: dict[str, Any],
        architecture: Architecture,
        training: TrainingState,
        classes: np.ndarray | None,
        backend: Backend,
        feature_names: np.ndarray | None = None,
    ) -> FittedState:
        where = {
            "backend": backend.name,
            "device": device_name(backend.device),
            "dtype": dtype_name(backend.dtype),
        }
        safe = {k: json_safe(v) for k, v in hyperparameters.items()}
        return cls(
            safe, architecture, training, classes, backend, where, feature_names=feature_names
        )

    def warm_start(self, optimizer: str) -> TrainingState:
        """A copy of the training state to continue from; a changed optimiser starts its
        own state anew (the state's keys say which optimiser made it)."""
        training = self.training
        state = training.optimizer_state
        if set(state) != state_keys(optimizer):
            state = get_optimizer(optimizer).init(training.parameters)
        return replace(
            training,
            optimizer_state=state,
            costs=list(training.costs),
            cost_epochs=list(training.cost_epochs),
            validation_scores=list(training.validation_scores),
            stopped=None,
        )

    # -- the host form: a header and arrays ------------------------------------------

    def to_state(self, model: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The JSON-able header and the host arrays that a file or a pickle holds."""
        t, arch = self.training, self.architecture
        header = {
            "xpnet_version": __version__,
            "model": model,
            "hyperparameters": self.hyperparameters,
            "architecture": {
                "dims": list(arch.dims),
                "activation": arch.activation,
                "output": arch.output,
            },
            "convention": "parameters in the course's layout: W (n_l, n_(l-1)), b (n_l, 1)",
            **self.trained_on,
            "n_features_in": arch.dims[0],
            "n_outputs": arch.dims[-1],
            "feature_names_in": None
            if self.feature_names is None
            else self.feature_names.tolist(),
            "n_iter": t.epoch,
            "samples_seen": t.samples_seen,
            "output_activation": arch.output,
            "seed": t.seed,
            "best_loss": None if math.isinf(t.best_loss) else t.best_loss,
            "best_validation_score": None if math.isinf(t.best_score) else t.best_score,
            "validation_scores": list(t.validation_scores),
            "no_improvement": t.no_improvement,
            "stopped": t.stopped,
            "optimizer_t": _t(t.optimizer_state),
            "parameter_shapes": {k: list(v.shape) for k, v in t.parameters.items()},
        }
        arrays = {
            **({} if self.classes is None else {"classes": self.classes}),
            "costs": np.asarray(t.costs, dtype=np.float64),
            "cost_iterations": np.asarray(t.cost_epochs, dtype=np.int64),
            "loss_curve": np.asarray(t.loss_curve, dtype=np.float64),
            **{f"parameter:{k}": to_numpy(v) for k, v in t.parameters.items()},
        }
        for moment in ("v", "s"):
            for k, v in t.optimizer_state.get(moment, {}).items():
                arrays[f"optimizer:{moment}:{k}"] = to_numpy(v)
        for k, v in (t.best_parameters or {}).items():
            arrays[f"best:{k}"] = to_numpy(v)
        return header, arrays

    @classmethod
    def from_state(
        cls,
        header: dict[str, Any],
        arrays: dict[str, np.ndarray],
        architecture: Architecture,
        backend: Backend | None,
        *,
        layout: Any = None,
    ) -> FittedState:
        """The state :meth:`to_state` described, its arrays checked against
        ``architecture`` and put on ``backend`` (None: kept on the host).

        ``layout`` maps the file's parameters to the engine's layout (files of format 2
        kept a model's own layout); by default they are in it already.

        Raises
        ------
        ValueError
            When an array is missing or of the wrong shape or kind.
        """
        regressor = architecture.output == "identity"
        for key in ("costs", "cost_iterations", *(() if regressor else ("classes",))):
            if key not in arrays:
                raise ValueError(f"the array {key!r} is missing")
        costs, cost_epochs = arrays["costs"], arrays["cost_iterations"]
        if costs.ndim != 1 or costs.dtype.kind != "f" or cost_epochs.dtype.kind not in "iu":
            raise ValueError(
                f"expected costs of floats and cost_iterations of integers. Received dtypes "
                f"{costs.dtype} and {cost_epochs.dtype}"
            )
        if cost_epochs.shape != costs.shape:
            raise ValueError(
                f"expected one cost_iteration per cost. Received shapes {cost_epochs.shape} "
                f"and {costs.shape}"
            )
        loss_curve = arrays.get("loss_curve")  # absent from files before 0.4
        if loss_curve is not None and (loss_curve.ndim != 1 or loss_curve.dtype.kind != "f"):
            raise ValueError(
                f"expected a loss_curve of floats. Received dtype {loss_curve.dtype} and "
                f"shape {loss_curve.shape}"
            )
        classes = None if regressor else arrays["classes"]
        if classes is not None:
            _check_classes(classes, architecture)
        shapes = architecture.shapes()
        parameters = _group(arrays, "parameter:")
        parameters = parameters if layout is None else layout(parameters)
        _check_shapes(parameters, shapes, "parameters")
        moments = {m: _group(arrays, f"optimizer:{m}:") for m in ("v", "s")}
        for m, found in moments.items():
            if found:
                _check_shapes(found, {"d" + k: v for k, v in shapes.items()}, f"optimizer {m}s")
        best = _group(arrays, "best:")
        if best:
            _check_shapes(best, shapes, "best parameters")
        optimizer_state: dict[str, Any] = {m: found for m, found in moments.items() if found}
        if header.get("optimizer_t") is not None:
            optimizer_state["t"] = _field(header, "optimizer_t", int, 0)
        best_loss = _field(header, "best_loss", float, math.inf)
        scores = header.get("validation_scores") or []
        if not isinstance(scores, list):
            raise ValueError(f"its header's validation_scores={scores!r} is not a list")
        training = TrainingState(
            parameters,
            optimizer_state,
            seed=_field(header, "seed", int, 0),
            epoch=_field(header, "n_iter", int, 0),
            samples_seen=_field(header, "samples_seen", int, 0),
            loss_curve=[] if loss_curve is None else loss_curve.tolist(),
            costs=costs.tolist(),
            cost_epochs=cost_epochs.tolist(),
            validation_scores=[_field({"score": s}, "score", float, 0.0) for s in scores],
            best_loss=best_loss,
            best_score=_field(header, "best_validation_score", float, -math.inf),
            best_parameters=best or None,
            no_improvement=_field(header, "no_improvement", int, 0),
            stopped=header.get("stopped") if isinstance(header.get("stopped"), str) else None,
        )
        where = {k: header.get(k) for k in ("backend", "device", "dtype")}
        floats = ("float32", "float64")
        if not all(isinstance(v, str) for v in where.values()) or where["dtype"] not in floats:
            raise ValueError(
                "expected the backend, device and dtype (float32 or float64) it was trained "
                f"on. Received {where}"
            )
        trained_on = {k: str(v) for k, v in where.items()}
        hyperparameters = dict(header["hyperparameters"])
        names = header.get("feature_names_in")
        if names is not None and (
            not isinstance(names, list)
            or len(names) != architecture.dims[0]
            or not all(isinstance(n, str) for n in names)
        ):
            raise ValueError(
                f"its feature_names_in are not {architecture.dims[0]} names: {names!r}"
            )
        host = cls(
            hyperparameters,
            architecture,
            training,
            classes,
            None,
            trained_on,
            feature_names=None if names is None else np.asarray(names, dtype=object),
        )
        return host if backend is None else host.placed(backend)

    def placed(self, backend: Backend) -> FittedState:
        """The same state with its arrays on ``backend``, in its dtype (a new object)."""

        def put(group: dict[str, Array]) -> dict[str, Array]:
            return {k: backend.put(to_numpy(v), backend.dtype) for k, v in group.items()}

        t = self.training
        optimizer_state = {
            k: put(v) if isinstance(v, dict) else v for k, v in t.optimizer_state.items()
        }
        training = replace(
            t,
            parameters=put(t.parameters),
            optimizer_state=optimizer_state,
            best_parameters=None if t.best_parameters is None else put(t.best_parameters),
        )
        return replace(self, training=training, backend=backend, unavailable=None)


def _check_classes(classes: np.ndarray, architecture: Architecture) -> None:
    if classes.ndim != 1 or classes.shape[0] < 2 or classes.dtype.kind not in "biufU":
        raise ValueError(
            "expected at least two classes of numbers, booleans or text. Received "
            f"an array of dtype {classes.dtype} and shape {classes.shape}"
        )
    n_y, multilabel = architecture.dims[-1], architecture.multilabel
    if n_y != (classes.shape[0] if multilabel or classes.shape[0] > 2 else 1):
        raise ValueError(f"{classes.shape[0]} classes do not fit {n_y} output unit(s)")
    if multilabel and not np.array_equal(classes, np.arange(n_y)):
        raise ValueError(f"the labels of {n_y} sigmoid outputs are 0..{n_y - 1}, not {classes}")


def _t(optimizer_state: dict[str, Any]) -> int | None:
    t = optimizer_state.get("t")
    return None if t is None else int(t)


def _field(header: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    """``header[key]`` as an int or a float (``default`` where absent or null)."""
    value = header.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"its header's {key}={value!r} is not a number")
    if kind is int and (not math.isfinite(value) or value != int(value) or value < 0):
        raise ValueError(f"its header's {key}={value!r} is not a count")
    return kind(value)


def _group(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def _check_shapes(found: dict, expected: dict, what: str) -> None:
    if set(found) != set(expected):
        raise ValueError(f"{what} {sorted(found)}, expected {sorted(expected)}")
    for key, shape in expected.items():
        name = f"{what[:-1] if what.endswith('s') else what} {key}"
        if found[key].shape != tuple(shape) or found[key].dtype.kind != "f":
            raise ValueError(
                f"{name} has shape {found[key].shape} and dtype {found[key].dtype}, expected "
                f"floats of shape {tuple(shape)}"
            )
        if not np.isfinite(found[key]).all():
            raise ValueError(f"{name} holds NaN or infinity, expected finite numbers")


def placement(
    name: str | None, device: str | None, dtype: str | None, saved: str | None
) -> Backend:
    """Where to put a model: a backend and device by name (None: the backend in force),
    in ``dtype`` or else the ``saved`` dtype where the device has it."""
    backend = get_backend() if name is None else Backend.load(name, device)
    return backend.with_dtype(dtype) if dtype else backend.preferring(saved)
