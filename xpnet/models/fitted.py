"""A fitted estimator's state, in one object (``fitted_``): what it was fitted with and
what it learnt. A later ``set_params`` never changes it, so a file or a pickle always
holds a model that loads back; its host form is :mod:`.files`'.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np  # edge: the host form of a model

from ..backend import Backend, get_backend, to_numpy
from ..optimizers import get_optimizer, state_keys
from ..training import TrainingState

__all__ = ["FITTED_ATTRIBUTES", "Architecture", "FittedState", "json_safe", "placement"]

Array = Any


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
        """The layers in words, from the inputs to the outputs, e.g. "2 features → 1
        hidden layer(s) of sizes (4,) (relu) → 1 sigmoid output(s)"."""
        hidden = self.dims[1:-1]
        layers = f"{len(hidden)} hidden layer(s) of sizes {hidden} ({self.activation})"
        return f"{self.dims[0]} features → {layers} → {self.dims[-1]} {self.output} output(s)"


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

    @property
    def stops_early(self) -> bool:
        return bool(self.hyperparameters.get("early_stopping"))

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


#: The fitted attributes that read the fitted state as it is → how each reads it.
FITTED_ATTRIBUTES: dict[str, Callable[[FittedState], Any]] = {
    "n_features_in_": lambda f: f.architecture.n_features,
    # the output layer's units: 1 for two classes, K for K classes, labels or targets
    "n_outputs_": lambda f: f.architecture.dims[-1],
    "costs_": lambda f: f.training.costs,
    "cost_iterations_": lambda f: f.training.cost_epochs,
    "epochs_trained_": lambda f: f.training.epoch,
    "t_": lambda f: f.training.samples_seen,
    "stopped_": lambda f: f.training.stopped,
    "n_iter_": lambda f: len(f.training.loss_curve) or f.training.epoch,
    "loss_curve_": lambda f: list(f.training.loss_curve or f.training.costs),
    "best_loss_": lambda f: None if math.isinf(f.training.best_loss) else f.training.best_loss,
    "validation_scores_": lambda f: f.training.validation_scores if f.stops_early else None,
    "best_validation_score_": lambda f: f.training.best_score if f.stops_early else None,
    "output_activation_": lambda f: f.architecture.output,
    "device_": lambda f: f.trained_on["device"],
    "dtype_": lambda f: f.trained_on["dtype"],
    "trained_on_": lambda f: f.trained_on,
    "metadata_": lambda f: f.metadata,
}


def placement(
    name: str | None, device: str | None, dtype: str | None, saved: str | None
) -> Backend:
    """Where to put a model: a backend and device by name (None: the backend in force),
    in ``dtype`` or else the ``saved`` dtype where the device has it."""
    backend = get_backend() if name is None else Backend.load(name, device)
    return backend.with_dtype(dtype) if dtype else backend.preferring(saved)
