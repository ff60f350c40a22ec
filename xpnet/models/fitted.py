"""A fitted estimator's state, in one object (``fitted_``): what it was fitted with and
what it learnt. A later ``set_params`` never changes it, so a file or a pickle always
holds a model that loads back; its host form is :mod:`.files`'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np  # edge: the host form of a model

from ..backend import Backend, device_name, dtype_name, get_backend, to_numpy
from ..optimizers import get_optimizer, state_keys
from ..training import TrainingState

__all__ = ["FITTED_ATTRIBUTES", "Architecture", "FittedState", "json_safe", "placement"]

Array = Any


#: The fitted attributes that read the fitted state as it is → where it holds them.
FITTED_ATTRIBUTES = {
    "n_features_in_": "architecture.n_features",
    "n_outputs_": "n_outputs",
    "costs_": "training.costs",
    "cost_iterations_": "training.cost_epochs",
    "epochs_trained_": "training.epoch",
    "t_": "training.samples_seen",
    "stopped_": "training.stopped",
    "n_iter_": "n_iter",
    "loss_curve_": "loss_curve",
    "best_loss_": "best_loss",
    "validation_scores_": "validation_scores",
    "best_validation_score_": "best_validation_score",
    "output_activation_": "architecture.output",
    "device_": "device",
    "dtype_": "dtype",
    "trained_on_": "trained_on",
    "metadata_": "metadata",
}


@dataclass(frozen=True)
class Architecture:
    """The layer sizes n_x, n_1, ..., n_L, the hidden activation and the output head."""

    dims: tuple[int, ...]
    activation: str | None  # None: no hidden layers
    output: str

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

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one example: (n_x,) here; an image's (n_H, n_W, n_C) where the
        first layers take images."""
        return (self.dims[0],)

    @property
    def n_features(self) -> int:
        """The numbers one example holds: the product of :attr:`input_shape`."""
        return math.prod(self.input_shape)

    def to_header(self) -> dict[str, Any]:
        """The architecture as a model file's header holds it (JSON)."""
        return {"dims": list(self.dims), "activation": self.activation, "output": self.output}

    @classmethod
    def from_header(cls, saved: dict[str, Any]) -> Architecture:
        """The architecture that :meth:`to_header` wrote; a KeyError, TypeError or
        ValueError where ``saved`` is not one."""
        return cls(tuple(int(n) for n in saved["dims"]), saved["activation"], saved["output"])

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
    """Everything ``fit`` leaves on an estimator: the JSON-safe ``get_params()`` it was
    fitted with, the architecture, the training state (parameters, optimiser state,
    counters, costs), the classes (None for a regressor), the backend (None where an
    unpickled model's is missing), ``trained_on`` ``{"backend", "device", "dtype"}``, a
    saved file's metadata, and the DataFrame's column names if it had them.
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
        names = (backend.name, device_name(backend.device), dtype_name(backend.dtype))
        where = dict(zip(("backend", "device", "dtype"), names, strict=True))
        safe = {k: json_safe(v) for k, v in hyperparameters.items()}
        return cls(
            safe, architecture, training, classes, backend, where, feature_names=feature_names
        )

    @property
    def n_outputs(self) -> int:
        """The output layer's units: 1 for two classes, K for K classes, labels or targets."""
        return self.architecture.dims[-1]

    @property
    def device(self) -> str:
        return self.trained_on["device"]

    @property
    def dtype(self) -> str:
        return self.trained_on["dtype"]

    @property
    def n_iter(self) -> int:
        """Epochs run by the last call to ``fit`` (``partial_fit``: 1)."""
        return len(self.training.loss_curve) or self.training.epoch

    @property
    def loss_curve(self) -> list[float]:
        """Each epoch's training loss in the last call to ``fit``, whatever ``cost_every``."""
        training = self.training
        return list(training.loss_curve) if training.loss_curve else list(training.costs)

    @property
    def best_loss(self) -> float | None:
        return None if math.isinf(self.training.best_loss) else self.training.best_loss

    @property
    def validation_scores(self) -> list[float] | None:
        """Each epoch's validation score, with early stopping (else None)."""
        stops_early = self.hyperparameters.get("early_stopping")
        return self.training.validation_scores if stops_early else None

    @property
    def best_validation_score(self) -> float | None:
        stops_early = self.hyperparameters.get("early_stopping")
        return self.training.best_score if stops_early else None

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


def placement(
    name: str | None, device: str | None, dtype: str | None, saved: str | None
) -> Backend:
    """Where to put a model: a backend and device by name (None: the backend in force),
    in ``dtype`` or else the ``saved`` dtype where the device has it."""
    backend = get_backend() if name is None else Backend.load(name, device)
    return backend.with_dtype(dtype) if dtype else backend.preferring(saved)
