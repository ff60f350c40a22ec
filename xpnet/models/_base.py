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

import numbers
import sys
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np  # edge: host-side labels, seeds and split indices

from ..backend import Backend
from ..dask_arrays import is_dask_array, prepare
from ..initializers import check_random_state, draw_parameters
from ..network import Network
from ..optimizers import get_optimizer
from ..targets import check_classes, one_hot
from ..training import Epoch, InMemory, TrainingConfig, TrainingState, run
from ._fitted import Architecture, FittedState
from ._predict import Predictor
from ._validation import (
    check_hyperparameters,
    check_memory,
    check_sample_weight,
    check_X,
    encode_labels,
)

__all__ = ["BaseClassifier"]

Array = Any


@dataclass(eq=False, repr=False)
class BaseClassifier(Predictor):
    """Base of the estimators; the hyperparameters every model shares.

    Parameters
    ----------
    learning_rate : float
        α, the initial step size.
    num_iterations : int
        Epochs: passes over the training data (with full batches, gradient-descent steps).
    optimizer : {"adam", "gd", "momentum", "rmsprop"}
    batch_size : int, "auto" or None
        Examples per step; "auto" takes min(200, n_samples), None the whole set. On
        Dask arrays, batches are cut inside blocks and "auto" is one block a step.
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
            source, backend, classes = prepare(
                X, y, sample_weight, classes, self.dtype, self.batch_size
            )
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
        network = architecture.training_network(keep_prob=self.keep_prob, l2=self.l2)
        validation = None
        if not blocks:
            Y = one_hot(index, n_y, backend.dtype, xp=backend.xp, put=backend.put)
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
        batch = self.batch_size
        if batch == "auto" or isinstance(batch, str):  # "auto", as checked
            batch = min(200, m)
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

    def _initial_state(self, architecture: Architecture, backend: Backend) -> TrainingState:
        rng = check_random_state(self.random_state)
        optimizer = get_optimizer(self.optimizer)
        check_memory(architecture.shapes(), self.optimizer, backend, type(self).__name__)
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
