"""What every estimator shares: hyperparameters, input checks, the training loop, prediction.

Estimators follow scikit-learn's convention: rows are samples, X has shape
(n_samples, n_features) and y shape (n_samples,). Inside, each model works in the
course's convention, on ``X.T`` of shape (n_x, m) and ``Y`` of shape (1, m), or (K, m)
one-hot for K > 2 classes.

Host data (lists, NumPy arrays) goes to the backend in force (:func:`xpnet.get_backend`)
and results come back to the host; arrays already on a backend are used where they
live, and results stay there. A fitted model lives where its training data lived.
"""

from __future__ import annotations

import inspect
import math
import numbers
import sys
from collections.abc import Callable
from typing import Any

import array_api_compat
import array_api_compat.numpy
import numpy as np  # edge: host-side labels and outputs

from ..activations import get_activation
from ..backend import (
    array_namespace,
    backend_name,
    default_float,
    device_name,
    dtype_name,
    get_backend,
    is_host_data,
    to_numpy,
)
from ..initializers import INITIALIZATIONS, initialize_parameters
from ..losses import compute_cost
from ..optimizers import update_parameters
from ..progress import progress_bar

__all__ = ["BaseClassifier", "NotFittedError"]

Array = Any


class NotFittedError(ValueError, AttributeError):
    """The model was used before ``fit``."""


class _Placement:
    """Where a model lives: a namespace, a device and a float dtype (not a parameter)."""

    def __init__(self, xp: Any, device: Any, dtype: Any) -> None:
        self.xp, self.device, self.dtype = xp, device, dtype

    def put(self, host: np.ndarray) -> Array:
        """Host floats → the model's device and dtype."""
        return self.xp.asarray(host, dtype=self.dtype, device=self.device)

    def check(self, x: Array, name: str) -> None:
        """Refuse an array that lives on another backend or device than the model."""
        xp, dev = array_namespace(x)
        if xp is not self.xp or dev != self.device:
            raise TypeError(
                f"Expected {name} on {self}, where the model lives. Received an array of "
                f"{backend_name(xp)} on {device_name(dev)}"
            )

    def __str__(self) -> str:
        return f"{backend_name(self.xp)} on {device_name(self.device)}"


class BaseClassifier:
    """Base of the estimators: subclasses write the course's forward and backward passes.

    Subclasses define ``_layer_dims(n_x, n_y)`` and ``_forward``/``_backward`` in the
    course's convention, and may extend ``_check_hyperparameters``.
    """

    _parameter_prefix = "W"

    # -- hyperparameters, as scikit-learn expects them ---------------------------------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p for p in signature.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments, by name."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> BaseClassifier:
        """Set constructor arguments by name; returns ``self``."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter for {type(self).__name__}. Expected one of {valid}. "
                    f"Received: {name}={value!r}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if value is not defaults[name].default and value != defaults[name].default
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(),
            array_api_support=True,
        )

    _estimator_type = "classifier"  # scikit-learn before 1.6

    def _check_hyperparameters(self) -> None:
        rate = self.learning_rate
        if not isinstance(rate, numbers.Real) or not math.isfinite(rate) or rate <= 0:
            raise ValueError(
                f"Invalid learning_rate. Expected a positive number. Received: {rate!r}"
            )
        for name in ("num_iterations", "cost_every"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"Invalid {name}. Expected a positive integer. Received: {value!r}"
                )
        if self.initialization not in INITIALIZATIONS:
            raise ValueError(
                f"Invalid initialization. Expected one of {sorted(INITIALIZATIONS)}. "
                f"Received: {self.initialization!r}"
            )
        if hasattr(self, "activation"):
            get_activation(self.activation)  # raises for an unknown name
        if self.dtype not in (None, "float32", "float64"):
            raise ValueError(
                f"Invalid dtype. Expected None, 'float32' or 'float64'. Received: {self.dtype!r}"
            )

    # -- inputs ---------------------------------------------------------------------

    def _check_X(self, X: Any, placement: _Placement | None) -> tuple[Array, _Placement, bool]:
        """X on its backend, in the course's layout (n_x, m); where it lives; host or not."""
        host = is_host_data(X)
        if host:
            X = np.asarray(X)
            if X.dtype.kind not in "biuf":
                raise TypeError(f"Expected numeric X. Received an array of dtype {X.dtype}")
        if X.ndim != 2:
            raise ValueError(
                "Expected a 2-D array X of shape (n_samples, n_features). "
                f"Received an array of shape {tuple(X.shape)}; reshape a single feature "
                "with X.reshape(-1, 1) or a single sample with X.reshape(1, -1)"
            )
        if X.shape[0] == 0:
            raise ValueError("Expected at least one sample. Received X of shape (0, ...)")
        if placement is None:
            placement = self._choose_placement(X, host)
        if host:
            X = placement.put(X)
        else:
            placement.check(X, "X")
            if X.dtype != placement.dtype:
                X = placement.xp.astype(X, placement.dtype)
        if not bool(placement.xp.all(placement.xp.isfinite(X))):
            raise ValueError("Expected finite values in X. Received NaN or infinity")
        return X.T, placement, host

    def _choose_placement(self, X: Any, host: bool) -> _Placement:
        if host:
            backend = get_backend()
            dtype = getattr(backend.xp, self.dtype) if self.dtype else backend.dtype
            return _Placement(backend.xp, backend.device, dtype)
        xp, dev = array_namespace(X)
        if self.dtype:
            dtype = getattr(xp, self.dtype)
        elif xp.isdtype(X.dtype, "real floating"):
            dtype = X.dtype
        else:
            dtype = default_float(xp, dev)
        return _Placement(xp, dev, dtype)

    def _encode_y(self, y: Any, m: int) -> Array:
        """Set ``classes_``; return Y in the course's layout, on the model's device."""
        p = self._placement
        if is_host_data(y):
            y, xp, put = np.asarray(y), array_api_compat.numpy, p.put
        else:
            p.check(y, "y")
            xp, put = p.xp, lambda Y: p.xp.astype(Y, p.dtype)
        if y.ndim == 2 and y.shape[1] == 1:
            y = xp.reshape(y, (-1,))
        if y.ndim != 1 or y.shape[0] != m:
            raise ValueError(
                f"Expected y of shape ({m},), one label per row of X. "
                f"Received y of shape {tuple(y.shape)}"
            )
        classes = xp.unique_values(y)
        if classes.shape[0] < 2:
            raise ValueError(
                "Expected at least two classes in y. Received only one: "
                f"{to_numpy(classes).tolist()}"
            )
        self.classes_ = classes
        onehot = xp.reshape(classes, (-1, 1)) == xp.reshape(y, (1, -1))  # (K, m)
        return put(onehot[1:, :] if classes.shape[0] == 2 else onehot)

    def _check_fitted(self) -> None:
        if not hasattr(self, "parameters_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(X, y) before "
                "using it to predict"
            )

    # -- training -------------------------------------------------------------------

    def fit(self, X: Any, y: Any, *, callback: Callable[[int, float], None] | None = None):
        """Full-batch gradient descent for ``num_iterations`` steps.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)
            Any two or more distinct labels; more than two switch the output to softmax.
        callback : callable, optional
            Called as ``callback(iteration, cost)`` each time the cost is recorded.

        Returns
        -------
        self
        """
        self._check_hyperparameters()
        warm = self.warm_start and hasattr(self, "parameters_")
        X, placement, _ = self._check_X(X, self._placement if warm else None)
        self._placement = placement
        previous_classes = self.classes_ if warm else None
        Y = self._encode_y(y, X.shape[1])
        n_x, n_y = X.shape[0], Y.shape[0]
        if warm:
            self._check_same_problem(n_x, previous_classes)
            parameters, iteration = self.parameters_, self.n_iter_
            costs, iterations = list(self.costs_), list(self.cost_iterations_)
        else:
            self.output_activation_ = "sigmoid" if n_y == 1 else "softmax"
            parameters = self._initialize(n_x, n_y)
            iteration, costs, iterations = 0, [], []
        xp, rate = placement.xp, self.learning_rate
        show = sys.stderr.isatty() if self.progress is None else bool(self.progress)
        with progress_bar(self.num_iterations, enabled=show, desc=type(self).__name__) as bar:
            for iteration in range(iteration, iteration + self.num_iterations):  # noqa: B020
                record = iteration % self.cost_every == 0
                parameters, cost = self._step(X, Y, parameters, xp, record)
                if record:
                    # Reading the cost back is the loop's only device-to-host synchronisation.
                    cost = float(cost)
                    if not math.isfinite(cost):
                        raise FloatingPointError(
                            f"Training diverged: the cost became {cost} at iteration "
                            f"{iteration}. Try a smaller learning_rate (now {rate})"
                        )
                    costs.append(cost)
                    iterations.append(iteration)
                    bar.set_postfix(cost=f"{cost:.6f}", refresh=False)
                    if callback is not None:
                        callback(iteration, cost)
                bar.update(1)
        self.parameters_ = parameters
        self.n_features_in_ = n_x
        self.n_iter_ = iteration + 1
        self.costs_, self.cost_iterations_ = costs, iterations
        self.backend_ = backend_name(xp)
        self.device_ = device_name(placement.device)
        self.dtype_ = dtype_name(placement.dtype)
        return self

    def _step(
        self, X: Array, Y: Array, parameters: dict[str, Array], xp: Any, with_cost: bool
    ) -> tuple[dict[str, Array], Array | None]:
        """One iteration of gradient descent: forward, the cost (if asked), backward, update.

        The cost is computed before the update, from the parameters it was given, and
        stays on the device (a 0-d array).
        """
        AL, ZL, cache = self._forward(X, parameters, xp)
        cost = compute_cost(ZL, Y, self.output_activation_, xp=xp) if with_cost else None
        grads = self._backward(X, Y, parameters, cache, AL, xp)
        return update_parameters(parameters, grads, self.learning_rate), cost

    def _initialize(self, n_x: int, n_y: int) -> dict[str, Array]:
        p = self._placement
        return initialize_parameters(
            self._layer_dims(n_x, n_y),
            self.initialization,
            scale=self.scale,
            random_state=self.random_state,
            xp=p.xp,
            device=p.device,
            dtype=p.dtype,
        )

    def _check_same_problem(self, n_x: int, previous_classes: Array) -> None:
        if (
            n_x != self.n_features_in_
            or to_numpy(previous_classes).tolist() != to_numpy(self.classes_).tolist()
        ):
            raise ValueError(
                "Expected the same features and classes to continue training (warm_start). "
                f"Received {n_x} features and classes {to_numpy(self.classes_).tolist()}, "
                f"where the model has {self.n_features_in_} and "
                f"{to_numpy(previous_classes).tolist()}"
            )

    # -- prediction -----------------------------------------------------------------

    def _output(self, X: Any) -> tuple[Array, bool]:
        """The output layer's activation A[L] for X, and whether X came from the host."""
        self._check_fitted()
        X, placement, host = self._check_X(X, self._placement)
        if X.shape[0] != self.n_features_in_:
            raise ValueError(
                f"Expected X with {self.n_features_in_} features, as in fit. "
                f"Received X with {X.shape[0]} features"
            )
        AL, _, _ = self._forward(X, self.parameters_, placement.xp)
        return AL, host

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, of shape (n_samples, n_classes), in the order of ``classes_``."""
        AL, host = self._output(X)
        xp = self._placement.xp
        proba = xp.concat([1 - AL, AL], axis=0).T if AL.shape[0] == 1 else AL.T
        return to_numpy(proba) if host else proba

    def predict(self, X: Any) -> Array:
        """The most probable class for each row of X, as labels from ``classes_``.

        For two classes this is the course's rule: the positive class where A > 0.5.
        """
        AL, host = self._output(X)
        xp = self._placement.xp
        P = xp.concat([1 - AL, AL], axis=0) if AL.shape[0] == 1 else AL
        index = xp.argmax(P, axis=0)
        if is_host_data(self.classes_):
            if host:
                return self.classes_[to_numpy(index)]
            labels = xp.take(xp.asarray(self.classes_, device=self._placement.device), index)
        else:
            labels = xp.take(self.classes_, index)
        return to_numpy(labels) if host else labels

    def save(self, path: Any, *, metadata: dict | None = None) -> Any:
        """Write the fitted model to one ``.npz`` file; see :func:`xpnet.save`."""
        from ..io import save

        return save(self, path, metadata=metadata)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of rows of X whose predicted label equals y."""
        from ..metrics import accuracy_score

        return accuracy_score(y, self.predict(X))
