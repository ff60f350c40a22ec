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

import math
import numbers
import sys
import warnings
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np  # edge: host-side labels, seeds and split indices

from ..backend import Backend, BackendUnavailableError, to_numpy
from ..dask_arrays import is_dask_array, predict_blocks, prepare
from ..exceptions import not_fitted
from ..initializers import check_random_state, draw_parameters
from ..network import Network
from ..optimizers import get_optimizer
from ..training import Epoch, InMemory, TrainingConfig, TrainingState, run
from ._fitted import Architecture, FittedState, placement
from ._params import Hyperparameters
from ._validation import (
    check_classes,
    check_hyperparameters,
    check_memory,
    check_sample_weight,
    check_X,
    encode_labels,
)

__all__ = ["BaseClassifier"]

Array = Any


@dataclass(eq=False, repr=False)
class BaseClassifier(Hyperparameters):
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
    initialization : {"glorot", "he", "xavier", "random", "normal", "zeros"}
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
    """

    _: KW_ONLY
    learning_rate: float = 0.001
    num_iterations: int = 200
    optimizer: str = "adam"
    batch_size: int | str | None = "auto"
    shuffle: bool = True
    l2: float = 1e-4
    keep_prob: float = 1.0
    initialization: str = "glorot"
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

    # -- what a model is: its layers, and its parameters in the course's layout ------

    def _hidden(self) -> tuple[int, ...]:
        """n_1, ..., n_(L−1): the hidden layers' sizes."""
        raise NotImplementedError

    def _activation(self) -> str | None:
        """The hidden layers' activation (None where there are no hidden layers)."""
        raise NotImplementedError

    def _check_architecture(self) -> None:
        """Subclasses validate their own hyperparameters."""

    def _architecture(self, n_x: int, n_y: int) -> Architecture:
        output = "sigmoid" if n_y == 1 else "softmax"
        return Architecture((n_x, *self._hidden(), n_y), self._activation(), output)

    def _to_course(self, parameters: dict[str, Array]) -> dict[str, Array]:
        """Engine layout {W1, b1, ...} → the model's ``parameters_`` (the same but for logistic)."""
        return parameters

    def _from_course(self, parameters: dict[str, Array]) -> dict[str, Array]:
        """The inverse of :meth:`_to_course` (files of format 2 kept the model's layout)."""
        return parameters

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

        Raises
        ------
        ValueError
            With ``warm_start=True``, when the layers asked for differ from the fitted
            ones: a warm start continues the fitted network, it cannot reshape it.
        """
        return self._fit(X, y, sample_weight, callback, self.num_iterations, self.warm_start)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> BaseClassifier:
        """One epoch over (X, y), continuing from the fitted state: data in pieces.

        ``classes`` (every label that will ever be seen) is required on the first call;
        a later call may repeat it, but not change it. Early stopping does not apply: a
        piece of data leaves nothing to hold out.
        """
        fitted = self.__dict__.get("fitted_")
        if fitted is None and classes is None:
            raise ValueError(
                "Expected classes= on the first call to partial_fit: every label that the "
                "pieces of data will hold. Received classes=None"
            )
        if fitted is not None and classes is not None:
            given = check_classes(classes, "classes")
            if not np.array_equal(given, fitted.classes):
                raise ValueError(
                    "Expected classes= as on the first call to partial_fit, "
                    f"{fitted.classes.tolist()}. Received: classes={given.tolist()}"
                )
        return self._fit(X, y, sample_weight, None, 1, True, classes, partial=True)

    def _fit(
        self, X, y, sample_weight, callback, epochs, incremental, classes=None, partial=False
    ):
        self._check_hyperparameters()
        fitted = self._placed() if incremental and "fitted_" in self.__dict__ else None
        if fitted is not None:
            classes = fitted.classes
        blocks = is_dask_array(X)
        if blocks:  # a source of blocks: one compute a step
            if self.early_stopping:
                raise ValueError(
                    "Invalid early_stopping=True with Dask arrays. Expected a validation set "
                    "held out by you: score it in a callback and return True to stop"
                )
            source, backend, classes = prepare(X, y, sample_weight, classes, self.dtype)
        else:
            X, backend, _ = check_X(X, None if fitted is None else fitted.backend, self.dtype)
            index, classes = encode_labels(y, X.shape[0], backend, classes)
            weights = check_sample_weight(sample_weight, X.shape[0], backend)
        n_y = 1 if classes.shape[0] == 2 else classes.shape[0]
        architecture = self._architecture(X.shape[1], n_y)
        if fitted is None:
            state = self._initial_state(architecture, backend)
        else:
            self._check_features(X.shape[1], fitted)
            if architecture != fitted.architecture:
                raise ValueError(
                    f"Invalid warm start of {type(self).__name__}. Expected the fitted "
                    f"network's layers, {fitted.architecture.describe()}. Received "
                    f"{architecture.describe()}: set warm_start=False to train it afresh"
                )
            backend, state = fitted.backend, fitted.warm_start(self.optimizer)
        network = Network.dense(
            len(architecture.dims) - 1,
            architecture.activation,
            architecture.output,
            keep_prob=self.keep_prob,
            l2=self.l2,
        )
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
        self.fitted_ = FittedState.after_training(
            self.get_params(), architecture, state, classes, backend
        )
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
        )

    def _initial_state(self, architecture: Architecture, backend: Backend) -> TrainingState:
        rng = check_random_state(self.random_state)
        optimizer = get_optimizer(self.optimizer)
        check_memory(architecture.shapes(), optimizer, backend, type(self).__name__)
        parameters = draw_parameters(
            rng, architecture.dims, self.initialization, self.scale, backend
        )
        # An int seed is the course's: shuffles use seed + 1 + epoch. Otherwise draw one.
        if isinstance(self.random_state, numbers.Integral):
            seed = int(self.random_state)
        elif isinstance(rng, np.random.Generator):
            seed = int(rng.integers(2**31))
        else:
            seed = int(rng.randint(2**31))
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

    def _check_features(self, n_x: int, fitted: FittedState) -> None:
        expected = fitted.architecture.dims[0]
        if n_x != expected:
            raise ValueError(
                f"X has {n_x} features, but {type(self).__name__} is expecting "
                f"{expected} features as input"
            )

    # -- the fitted state: one object, its files and its pickles ---------------------

    def __sklearn_is_fitted__(self) -> bool:
        return "fitted_" in self.__dict__

    def _fitted(self) -> FittedState:
        """The fitted state, wherever its arrays are; NotFittedError before ``fit``."""
        fitted = self.__dict__.get("fitted_")
        if fitted is None:
            raise not_fitted(
                f"This {type(self).__name__} is not fitted yet. Call fit(X, y) before "
                "using it to predict"
            )
        return fitted

    def _placed(self) -> FittedState:
        """The fitted state, its arrays on a backend: an error where that backend is
        missing (an unpickled model), naming the way out."""
        fitted = self._fitted()
        if fitted.backend is None:
            where = fitted.trained_on
            raise BackendUnavailableError(
                f"This {type(self).__name__} was trained on {where['backend']} "
                f"({where['device']}), which is not available here: {fitted.unavailable}. "
                "Move it with model.to_backend('numpy') (or any backend available here)"
            )
        return fitted

    parameters_ = property(
        lambda self: self._to_course(self._placed().training.parameters),
        doc="The parameters in the course's layout, on the model's device.",
    )
    optimizer_state_ = property(lambda self: self._placed().training.optimizer_state)
    classes_ = property(lambda self: self._fitted().classes)
    n_features_in_ = property(lambda self: self._fitted().architecture.dims[0])
    n_iter_ = property(lambda self: self._fitted().training.epoch, doc="Epochs trained.")
    costs_ = property(lambda self: self._fitted().training.costs)
    cost_iterations_ = property(lambda self: self._fitted().training.cost_epochs)
    loss_curve_ = property(lambda self: self._fitted().training.costs, doc="``costs_``.")
    output_activation_ = property(lambda self: self._fitted().architecture.output)
    backend_ = property(lambda self: self._placed().backend)
    device_ = property(lambda self: self._fitted().trained_on["device"])
    dtype_ = property(lambda self: self._fitted().trained_on["dtype"])
    stopped_ = property(lambda self: self._fitted().training.stopped)
    metadata_ = property(lambda self: self._fitted().metadata)
    trained_on_ = property(lambda self: self._fitted().trained_on)

    @property
    def best_loss_(self) -> float | None:
        best = self._fitted().training.best_loss
        return None if math.isinf(best) else best

    @property
    def validation_scores_(self) -> list[float] | None:
        fitted = self._fitted()
        return fitted.training.validation_scores if _stops_early(fitted) else None

    @property
    def best_validation_score_(self) -> float | None:
        fitted = self._fitted()
        return fitted.training.best_score if _stops_early(fitted) else None

    def to_backend(self, name: str, device: str | None = None, dtype: str | None = None):
        """The fitted model moved to another backend, device or dtype (a new object)."""
        fitted = self._fitted()
        moved = type(self)(**self.get_params())
        moved.fitted_ = fitted.placed(placement(name, device, dtype, fitted.trained_on["dtype"]))
        return moved

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The fitted model as a JSON-able header and host arrays (what a file holds):
        the network it was fitted with and the hyperparameters it was fitted with."""
        return self._fitted().to_state(type(self).__name__)

    @classmethod
    def from_state(
        cls, header: dict[str, Any], arrays: dict[str, np.ndarray], backend: Backend | None = None
    ) -> BaseClassifier:
        """The model that :meth:`to_state` described, on ``backend`` (default: the backend
        in force, in the saved dtype where its device has it).

        Raises
        ------
        ValueError
            When the header or an array does not describe a valid model of this class.
        """
        model = cls._fitted_with(header)
        if backend is None:
            backend = placement(None, None, None, header.get("dtype"))
        model.fitted_ = cls._read_state(header, arrays, backend)
        return model

    @classmethod
    def _fitted_with(cls, header: dict[str, Any]) -> BaseClassifier:
        """A model with the hyperparameters a header says it was fitted with."""
        try:
            hyperparameters = {  # JSON has no tuples
                k: tuple(v) if isinstance(v, list) else v
                for k, v in dict(header["hyperparameters"]).items()
            }
            model = cls(**hyperparameters)
            model._check_hyperparameters()
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"its header does not describe a valid {cls.__name__}: {exc}"
            ) from exc
        return model

    @classmethod
    def _read_state(
        cls, header: dict[str, Any], arrays: dict[str, np.ndarray], backend: Backend | None
    ) -> FittedState:
        model = cls._fitted_with(header)
        classes = arrays.get("classes")
        if classes is None or classes.ndim != 1:
            raise ValueError("the array 'classes' is missing or not 1-D")
        try:
            n_x = int(header["n_features_in"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"its header has no valid n_features_in: {exc}") from exc
        architecture = model._architecture(n_x, 1 if classes.shape[0] <= 2 else classes.shape[0])
        saved = header.get("architecture")
        if saved is not None:
            try:
                found = Architecture(
                    tuple(int(n) for n in saved["dims"]), saved["activation"], saved["output"]
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"its architecture is not valid: {exc}") from exc
            if found != architecture:
                raise ValueError(
                    f"its layers, {found.describe()}, are not those its hyperparameters "
                    f"describe, {architecture.describe()}"
                )
        if header.get("output_activation") != architecture.output:
            raise ValueError(
                f"classes {classes.tolist()} do not fit a {header.get('output_activation')} output"
            )
        layout = None if saved is not None else model._from_course  # format 2
        fitted = FittedState.from_state(header, arrays, architecture, backend, layout=layout)
        metadata = header.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise ValueError(
                f"its metadata is {type(metadata).__name__}, expected a JSON object of notes"
            )
        fitted.metadata = metadata
        return fitted

    def __getstate__(self) -> dict[str, Any]:
        saved: dict[str, Any] = {"params": self.get_params()}
        if "fitted_" in self.__dict__:
            fitted = self.fitted_
            saved["fitted"] = (*fitted.to_state(type(self).__name__), fitted.metadata)
        return saved

    def __setstate__(self, saved: dict[str, Any]) -> None:
        self.__dict__.update(saved["params"])
        if "fitted" not in saved:
            return
        header, arrays, metadata = saved["fitted"]
        try:  # on the backend it was trained on, where that is available
            where: Backend | None = placement(
                header["backend"], header["device"], None, header.get("dtype")
            )
        except (ImportError, ValueError) as exc:
            where, why = None, str(exc)
        fitted = self._read_state(header, arrays, where)
        fitted.metadata = metadata
        if where is None:
            fitted.unavailable = why
        self.fitted_ = fitted

    def save(self, path: Any, *, metadata: dict | None = None) -> Any:
        """Write the fitted model to one ``.npz`` file; see :func:`xpnet.save`."""
        from . import save

        return save(self, path, metadata=metadata)

    # -- prediction -----------------------------------------------------------------

    def _output(self, X: Any) -> tuple[Array, bool]:
        """The output layer's activation A[L] of shape (n_y, n_samples); host or not."""
        fitted = self._placed()
        X, backend, host = check_X(X, fitted.backend, None)
        self._check_features(X.shape[1], fitted)
        network, xp = fitted.architecture.network, backend.xp
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
            ZL, _ = network.forward(X.T, fitted.training.parameters, xp=xp)
            AL = network.head.activation(ZL, xp=xp)
        if not bool(xp.all(xp.isfinite(AL))):
            raise ValueError(
                "Expected X on a scale the network's arithmetic can hold. Received values "
                f"that overflow {fitted.trained_on['dtype']} inside the network: standardise "
                "X as the training data was"
            )
        return AL, host

    def predict_proba(self, X: Any) -> Array:
        """Class probabilities, of shape (n_samples, n_classes), in the order of ``classes_``.

        For a Dask array, a lazy Dask array: nothing is computed until you ask.
        """
        if is_dask_array(X):
            self._placed()
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
            self._placed()
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
        y = to_numpy(y)
        if y.shape != (predicted.shape[0],):
            raise ValueError(
                f"Expected y of shape ({predicted.shape[0]},), one label per row of X. "
                f"Received y of shape {y.shape}"
            )
        hits = to_numpy(predicted) == y
        if sample_weight is None:
            return float(np.mean(hits))
        weights = check_sample_weight(sample_weight, y.shape[0], self.backend_)
        return float(np.average(hits, weights=to_numpy(weights)[0]))


def _stops_early(fitted: FittedState) -> bool:
    return bool(fitted.hyperparameters.get("early_stopping"))


def _one_hot(backend: Backend, index: Array, n_y: int) -> Array:
    """Y of shape (1, m) with 0/1 for two classes, (K, m) one-hot for K > 2."""
    xp = backend.xp
    if n_y == 1:
        return xp.astype(xp.reshape(index, (1, -1)) == 1, backend.dtype)
    classes = backend.put(np.arange(n_y).reshape(-1, 1))
    return xp.astype(classes == xp.reshape(index, (1, -1)), backend.dtype)
