"""What every estimator shares: hyperparameters, fitting through the engine, prediction.

Estimators follow scikit-learn's convention: rows are samples, X has shape
(n_samples, n_features) and y shape (n_samples,). Inside, they work in the course's
convention, on ``X.T`` of shape (n_x, m) and ``Y`` of shape (1, m), or (K, m) one-hot
for K > 2 classes, through :class:`xpnet.network.Network` and :func:`xpnet.training.train`.

Host data (lists, NumPy arrays) goes to the backend in force (:func:`xpnet.get_backend`)
and results come back to the host; arrays already on a backend are used where they
live, and results stay there. A fitted model lives where its training data lived.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np  # edge: host-side labels, seeds and split indices

from ..backend import Backend, to_numpy
from ..dask_arrays import is_dask_array, predict_blocks, prepare
from ..exceptions import not_fitted
from ..initializers import check_random_state, draw_layer
from ..network import Network
from ..optimizers import get_optimizer
from ..training import Epoch, InMemory, TrainingConfig, TrainingState, run
from . import _state
from ._validation import check_hyperparameters, check_sample_weight, check_X, encode_labels

__all__ = ["BaseClassifier"]

Array = Any


@dataclass(eq=False, repr=False)
class BaseClassifier:
    """Base of the estimators; the hyperparameters every model shares.

    Parameters
    ----------
    learning_rate : float
        α, the initial step size.
    num_iterations : int
        Epochs: passes over the training data (with full batches, gradient-descent steps).
    optimizer : {"adam", "gd", "momentum", "rmsprop"}
    batch_size : int, "auto" or None
        Examples per step; "auto" takes min(200, n_samples), None the whole set.
    shuffle : bool
        Shuffle the examples before each epoch (mini-batches only).
    l2 : float
        λ of L2 regularisation: J + λ/(2m)·Σ‖W‖² (scikit-learn's ``alpha``).
    keep_prob : float
        Inverted dropout on the hidden layers keeps each unit with this probability.
    initialization : str
        The start (:func:`xpnet.initializers.draw_weights` lists each with its formula):
        "pytorch" (``nn.Linear``'s, W and b ~ U(±1/√n_prev)), "glorot", "he", "xavier"
        (the course's randn/√n_prev), "random", "zeros", ... "pytorch" learns most per
        epoch on the MNIST-shaped task of ``xpnet bench``: 75% test in 3 epochs where
        "glorot" (scikit-learn's start) takes 14.
    scale : float
        The standard deviation of ``initialization="random"`` (the course's 0.01).
    beta : float
        β of momentum and RMSprop.
    beta1, beta2, epsilon : float
        Adam's moment decays and its ε (outside the square root).
    lr_decay : {None, "inverse_time", "scheduled", "exponential"}
    decay_rate : float or None
        None takes the schedule's default: 1, or 0.95 for the exponential decay.
    time_interval : int
        Epochs between steps of the scheduled decay.
    early_stopping : bool
        Hold out ``validation_fraction`` of the data, score it each epoch, stop when it
        stops improving, and keep the best parameters.
    validation_fraction : float
    tol : float or None
        The stopping rule's minimum improvement; None trains every epoch (the course).
    n_iter_no_change : int
        Epochs without an improvement of ``tol`` before stopping.
    random_state : None, int, RandomState or Generator
        Seeds the initial weights, the shuffles, dropout and the validation split.
    cost_every : int
        Record the cost every this many epochs.
    warm_start : bool
        Continue from the fitted state (parameters, optimiser, epochs) on the next fit.
    dtype : {None, "float32", "float64"}
        None keeps a floating backend array's dtype and otherwise takes the backend's.
    progress : bool or None
        Show a progress bar over the epochs; None shows it on a terminal only.
    jit_compile : {"auto", True, False}
        Compile the training step (``jax.jit``, ``torch.compile``); "auto" reads
        ``XPNET_COMPILE`` and otherwise compiles on JAX only (see :mod:`xpnet.step`).
    """

    _: KW_ONLY
    learning_rate: float = 0.001
    num_iterations: int = 200
    optimizer: str = "adam"
    batch_size: int | str | None = "auto"
    shuffle: bool = True
    l2: float = 1e-4
    keep_prob: float = 1.0
    initialization: str = "pytorch"
    scale: float = 0.01
    beta: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    lr_decay: str | None = None
    decay_rate: float | None = None
    time_interval: int = 1000
    early_stopping: bool = False
    validation_fraction: float = 0.1
    tol: float | None = 1e-4
    n_iter_no_change: int = 10
    random_state: Any = None
    cost_every: int = 1
    warm_start: bool = False
    dtype: str | None = None
    progress: bool | None = None
    jit_compile: bool | str = "auto"

    # -- what a model is: its hidden layers, and its parameters in the course's layout --

    def _hidden(self) -> tuple[int, ...]:
        raise NotImplementedError

    def _check_architecture(self) -> None:
        """Subclasses validate their own hyperparameters."""

    def _network(self, n_y: int) -> Network:
        hidden = self._hidden()
        return Network.dense(
            len(hidden) + 1,
            getattr(self, "activation", "relu"),
            "sigmoid" if n_y == 1 else "softmax",
            keep_prob=self.keep_prob,
            l2=self.l2,
        )

    def _layer_dims(self, n_x: int, n_y: int) -> list[int]:
        return [n_x, *self._hidden(), n_y]

    def _to_course(self, parameters: dict[str, Array]) -> dict[str, Array]:
        """Engine layout {W1, b1, ...} → the model's ``parameters_`` (the same but for logistic)."""
        return parameters

    def _from_course(self, parameters: dict[str, Array]) -> dict[str, Array]:
        return parameters

    # -- hyperparameters, as scikit-learn expects them ---------------------------------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

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
        check_hyperparameters(self)
        self._check_architecture()

    # -- training -------------------------------------------------------------------

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        *,
        callback: Callable[[Epoch], Any] | None = None,
    ) -> BaseClassifier:
        """Train for ``num_iterations`` epochs (fewer if the stopping rule ends it).

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)
            Any two or more distinct labels; more than two switch the output to softmax.
        sample_weight : array of shape (n_samples,), optional
            Each example's weight in the cost and its gradient.
        callback : callable, optional
            Called with an :class:`xpnet.training.Epoch` (model, epoch, cost, validation
            score, parameters) after each epoch; returning True (itself) stops training.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, callback, self.num_iterations, self.warm_start)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> BaseClassifier:
        """One epoch over (X, y), continuing from the fitted state: data in pieces.

        ``classes`` (every label that will ever be seen) is required on the first call.
        Early stopping does not apply: a piece of data leaves nothing to hold out.
        """
        if not self._is_fitted() and classes is None:
            raise ValueError(
                "Expected classes= on the first call to partial_fit: every label that the "
                "pieces of data will hold. Received classes=None"
            )
        return self._fit(X, y, sample_weight, None, 1, True, classes, partial=True)

    def _fit(
        self, X, y, sample_weight, callback, epochs, incremental, classes=None, partial=False
    ):
        self._check_hyperparameters()
        warm = incremental and self._is_fitted()
        if warm:
            classes = self.classes_
        blocks = is_dask_array(X)
        if blocks:  # a source of blocks: one compute a step
            if self.early_stopping:
                raise ValueError(
                    "Invalid early_stopping=True with Dask arrays. Expected a validation set "
                    "held out by you: score it in a callback and return True to stop"
                )
            source, backend, classes = prepare(X, y, sample_weight, classes, self.dtype)
        else:
            X, backend, _ = check_X(X, self.backend_ if warm else None, self.dtype)
            index, classes = encode_labels(y, X.shape[0], backend, classes)
            weights = check_sample_weight(sample_weight, X.shape[0], backend)
        n_x = X.shape[1]
        if warm:
            self._check_features(n_x)
            backend = self.backend_
        n_y = 1 if classes.shape[0] == 2 else classes.shape[0]
        network = self._network(n_y)
        state = self._training_state() if warm else self._initial_state(n_x, n_y, backend)
        validation = None
        if not blocks:
            Y = _one_hot(backend, index, n_y)
            if self.early_stopping and not partial:  # a piece of data is all partial_fit has
                X, Y, weights, validation = self._split(backend, X, Y, index, weights, state.seed)
            source = InMemory(X, Y, weights, backend.xp, rows=True)  # samples stay rows
        state = run(
            self._config(network, source.m),
            state,
            source,
            epochs=epochs,
            validation=validation,
            callback=callback,
            model=self,
            progress=sys.stderr.isatty() if self.progress is None else bool(self.progress),
            desc=type(self).__name__,
            xp=backend.xp,
        )
        # Only now, with everything validated and trained, does the model change.
        self._set_state(state, backend, classes, n_x, network.output)
        return self

    def _config(self, network: Network, m: int) -> TrainingConfig:
        batch = min(200, m) if self.batch_size == "auto" else self.batch_size
        optimizer = get_optimizer(
            self.optimizer,
            beta=self.beta,
            beta1=self.beta1,
            beta2=self.beta2,
            epsilon=self.epsilon,
        )
        return TrainingConfig(
            network,
            optimizer,
            self.learning_rate,
            lr_decay=self.lr_decay,
            decay_rate=self.decay_rate,
            time_interval=self.time_interval,
            batch_size=batch,
            shuffle=self.shuffle,
            cost_every=self.cost_every,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            jit_compile=self.jit_compile,
        )

    def _initial_state(self, n_x: int, n_y: int, backend: Backend) -> TrainingState:
        rng = check_random_state(self.random_state)
        dims = self._layer_dims(n_x, n_y)
        parameters = {}
        for l in range(1, len(dims)):  # noqa: E741 (the course's layer index)
            W, b = draw_layer(rng, (dims[l], dims[l - 1]), self.initialization, self.scale)
            parameters[f"W{l}"] = backend.put(W, backend.dtype)
            parameters[f"b{l}"] = backend.put(b, backend.dtype)
        # An int seed is the course's: shuffles use seed + 1 + epoch. Otherwise draw one.
        seed = self.random_state if isinstance(self.random_state, int) else None
        seed = int(rng.randint(2**31)) if seed is None else seed
        optimizer = get_optimizer(self.optimizer)
        return TrainingState(parameters, optimizer.init(parameters), seed)

    def _split(self, backend, X, Y, index, weights, seed):
        """Hold out ``validation_fraction`` of the rows of X for early stopping.

        Returns the training part (X's rows, Y's and the weights' columns) and the
        validation pair (its columns X.T, its class indices).
        """
        m = X.shape[0]
        n_val = max(1, round(self.validation_fraction * m))
        if m - n_val < 1:
            raise ValueError(
                f"Expected enough samples to hold out validation_fraction="
                f"{self.validation_fraction} for early stopping. Received {m}"
            )
        order = np.random.RandomState(seed).permutation(m)
        xp = backend.xp
        train_rows, val_rows = backend.put(order[n_val:]), backend.put(order[:n_val])
        validation = (xp.take(X, val_rows, axis=0).T, xp.take(index, val_rows, axis=0))
        w = None if weights is None else xp.take(weights, train_rows, axis=1)
        return xp.take(X, train_rows, axis=0), xp.take(Y, train_rows, axis=1), w, validation

    def _check_features(self, n_x: int) -> None:
        if n_x != self.n_features_in_:
            raise ValueError(
                f"X has {n_x} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input"
            )

    # -- the fitted state: attributes, training state, files and pickles ----------------

    def _is_fitted(self) -> bool:
        return "parameters_" in self.__dict__ or "_pending" in self.__dict__

    def _check_fitted(self) -> None:
        if "_pending" in self.__dict__:
            _state.restore(self)  # an unpickled model, on first use
        if "parameters_" not in self.__dict__:
            raise not_fitted(
                f"This {type(self).__name__} is not fitted yet. Call fit(X, y) before "
                "using it to predict"
            )

    def _training_state(self) -> TrainingState:
        self._check_fitted()
        return _state.training_state(self)

    def _set_state(self, state, backend, classes, n_x, output) -> None:
        _state.set_fitted(self, state, backend, classes, n_x, output)

    @property
    def loss_curve_(self) -> list[float]:
        """scikit-learn's name for ``costs_``."""
        self._check_fitted()
        return self.costs_

    def to_backend(self, name: str, device: str | None = None, dtype: str | None = None):
        """The fitted model moved to another backend, device or dtype (a new object)."""
        return _state.move(self, name, device, dtype)

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The fitted model as a JSON-able header and host arrays (what a file holds)."""
        self._check_fitted()
        return _state.to_state(self)

    @classmethod
    def from_state(cls, header: dict[str, Any], arrays: dict[str, np.ndarray], backend=None):
        """The model that :meth:`to_state` described, on ``backend`` (default: in force)."""
        return _state.from_state(cls, header, arrays, backend)

    def __getstate__(self) -> dict[str, Any]:
        params = self.get_params()
        if not self._is_fitted():
            return {"params": params}
        header, arrays = (
            _state.to_state(self) if "_pending" not in self.__dict__ else self._pending
        )
        return {"params": params, "header": header, "arrays": arrays}

    def __setstate__(self, saved: dict[str, Any]) -> None:
        self.__dict__.update(saved["params"])
        if "header" in saved:
            self._pending = (saved["header"], saved["arrays"])
            _state.restore(self, quiet=True)

    def save(self, path: Any, *, metadata: dict | None = None) -> Any:
        """Write the fitted model to one ``.npz`` file; see :func:`xpnet.save`."""
        from . import save

        return save(self, path, metadata=metadata)

    # -- prediction -----------------------------------------------------------------

    def _output(self, X: Any) -> tuple[Array, bool]:
        """The output layer's activation A[L] of shape (n_y, n_samples); host or not."""
        self._check_fitted()
        X, backend, host = check_X(X, self.backend_, None)
        self._check_features(X.shape[1])
        network = self._network(1 if self.classes_.shape[0] == 2 else self.classes_.shape[0])
        parameters = self._from_course(self.parameters_)
        ZL, _ = network.forward(X.T, parameters, xp=backend.xp)
        return network.head.activation(ZL, xp=backend.xp), host

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, of shape (n_samples, n_classes), in the order of ``classes_``.

        For a Dask array, a lazy Dask array: nothing is computed until you ask.
        """
        if is_dask_array(X):
            self._check_fitted()
            return predict_blocks(self, X, proba=True)
        AL, host = self._output(X)
        xp = self.backend_.xp
        proba = xp.concat([1 - AL, AL], axis=0).T if AL.shape[0] == 1 else AL.T
        return to_numpy(proba) if host else proba

    def predict(self, X: Any) -> Array:
        """The most probable class for each row of X, as labels from ``classes_``.

        For two classes this is the course's rule: the positive class where A > 0.5.
        Text labels come back as a NumPy array even for X on a device, which holds
        numbers only. For a Dask array, a lazy Dask array.
        """
        if is_dask_array(X):
            self._check_fitted()
            return predict_blocks(self, X, proba=False)
        AL, host = self._output(X)
        xp = self.backend_.xp
        index = xp.astype(AL[0, :] > 0.5, xp.int64) if AL.shape[0] == 1 else xp.argmax(AL, axis=0)
        if host or self.classes_.dtype.kind not in "biuf":
            return self.classes_[to_numpy(index)]
        return xp.take(self.backend_.put(self.classes_), index)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy: the (weighted) fraction of rows of X whose predicted label equals y."""
        predicted = self.predict(X)
        if is_dask_array(predicted):
            predicted = predicted.compute()
        if is_dask_array(y):
            y = y.compute()
        hits = to_numpy(predicted) == to_numpy(y).reshape(-1)
        weights = None if sample_weight is None else to_numpy(sample_weight)
        return float(np.average(hits, weights=weights))


def _one_hot(backend: Backend, index: Array, n_y: int) -> Array:
    """Y of shape (1, m) with 0/1 for two classes, (K, m) one-hot for K > 2."""
    xp = backend.xp
    if n_y == 1:
        return xp.astype(xp.reshape(index, (1, -1)) == 1, backend.dtype)
    classes = backend.put(np.arange(n_y).reshape(-1, 1))
    return xp.astype(classes == xp.reshape(index, (1, -1)), backend.dtype)
