"""What every estimator shares: hyperparameters, and fitting through the engine.

Estimators follow scikit-learn's convention: rows are samples, X has shape
(n_samples, n_features) and y shape (n_samples,) (or (n_samples, n_targets) for a
regressor). Inside, they work in the course's convention, on ``X.T`` of shape (n_x, m)
and ``Y`` of shape (n_y, m), through :class:`xpnet.network.Network` and
:func:`xpnet.training.run`. A classifier (:mod:`._classifier`) and a regressor
(:mod:`._regressor`) differ only in their targets, their output head and their score.

Host data (lists, NumPy arrays) goes to the backend in force (:func:`xpnet.get_backend`)
and results come back to the host; arrays already on a backend are used where they
live, and results stay there. A fitted model lives where its training data lived.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, NamedTuple

import numpy as np  # edge: host-side seeds and split indices

from ..backend import Backend
from ..dask_arrays import is_dask_array
from ..exceptions import convergence
from ..initializers import check_random_state, draw_parameters
from ..network import Network
from ..optimizers import get_optimizer
from ..training import Epoch, InMemory, TrainingConfig, TrainingState, run
from ._fitted import Architecture, FittedState
from ._hyperparameters import check_hyperparameters, check_memory
from ._predict import Predictor
from ._split import early_stopping_split
from ._validation import check_feature_names, check_sample_weight, check_X, feature_names

__all__ = ["BaseEstimator", "Targets"]

Array = Any


class Targets(NamedTuple):
    """What an estimator learns from, in the course's layout, on the model's device.

    Y : array of shape (n_y, m)
    truth : what a validation score compares the predictions with: class indices (m,)
        for a classifier, Y itself for a regressor
    strata : NumPy array of shape (m,) of class indices, or None: the groups an early
        stopping split keeps in proportion (a classifier's)
    classes : NumPy array of the classes, or None for a regressor
    output : the output head, where n_y alone does not choose it (multilabel: "sigmoid")
    """

    Y: Array
    truth: Array
    strata: np.ndarray | None
    classes: np.ndarray | None
    output: str | None = None


@dataclass(eq=False, repr=False)
class BaseEstimator(Predictor):
    """Base of the estimators; the hyperparameters every model shares.

    Where xpnet takes scikit-learn's names, they mean what scikit-learn means; the
    course's own names (``learning_rate``, ``num_iterations``, ``l2``, ``beta``) keep
    the course's meaning. scikit-learn's ``MLPClassifier(solver="sgd", momentum=μ,
    learning_rate_init=η)`` steps as ``optimizer="momentum", beta=μ,
    learning_rate=η/(1 − μ)`` (the course averages the gradients, v = βv + (1 − β)·dW,
    where scikit-learn sums them) without Nesterov's look-ahead.

    Parameters
    ----------
    learning_rate : float
        α, the initial step size.
    num_iterations : int
        Epochs: passes over the training data (with full batches, gradient-descent steps).
    optimizer : {"adam", "gd", "momentum", "rmsprop"}
    batch_size : int, "auto" or None
        Examples per step; "auto" takes min(200, n_samples), None the whole set. On Dask
        arrays an int cuts mini-batches inside the blocks, and "auto" takes one block a
        step (see :mod:`xpnet.dask_arrays`).
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
        Hold out ``validation_fraction`` of the data (stratified by class for a
        classifier, the sample weights following their examples), score it each epoch
        (accuracy, or R² for a regressor), stop when it stops improving, and keep the
        best parameters. Not with ``partial_fit``.
    validation_fraction : float
    tol : float or None
        The stopping rule's minimum improvement; None trains every epoch (the course)
        and never warns of convergence.
    n_iter_no_change : int or math.inf
        Epochs without an improvement of ``tol`` before stopping; ``math.inf`` never
        stops for a lack of improvement.
    random_state : None, int, RandomState or Generator
        Seeds the initial weights, the shuffles, dropout and the validation split.
    cost_every : int
        Record the cost in ``costs_`` every this many epochs (``loss_curve_`` has every
        epoch's).
    warm_start : bool
        Continue from the fitted state (parameters, optimiser, epochs) on the next fit.
    dtype : {None, "float32", "float64"}
        None keeps a floating backend array's dtype and otherwise takes the backend's.
    progress : bool or None
        Show a progress bar over the epochs; None shows it on a terminal only.
    verbose : bool or int
        Print each epoch's loss to standard output, as scikit-learn does
        (``Iteration 3, loss = 0.41234567``); the progress bar is separate.
    jit_compile : {"auto", True, False}
        Compile the training step (``jax.jit``, ``torch.compile``); "auto" reads
        ``XPNET_COMPILE`` and otherwise compiles on JAX only (see :mod:`xpnet.step`).

    Attributes
    ----------
    n_iter_ : int
        Epochs run by the last call to ``fit`` (``partial_fit``: 1).
    loss_curve_ : list of float
        Each of those epochs' training loss (L2 term included), whatever ``cost_every``.
    best_loss_ : float or None
        The lowest loss of ``loss_curve_`` so far (None with early stopping).
    costs_, cost_iterations_ : list
        The course's record: the cost every ``cost_every`` epochs, over all fits.
    epochs_trained_, t_ : int
        Epochs, and training samples, over every fit (warm starts, ``partial_fit``).
    validation_scores_, best_validation_score_ : list, float or None
        With early stopping, each epoch's validation score, and the best.
    feature_names_in_ : array of str
        The column names of a DataFrame X (absent otherwise); later data must match.

    Warns
    -----
    ConvergenceWarning
        When ``fit`` stops at ``num_iterations`` while the stopping rule (``tol`` set) has
        not fired, as scikit-learn warns. ``xpnet.exceptions.ConvergenceWarning``, also
        scikit-learn's where it is installed.
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
    n_iter_no_change: float = 10  # an int, or math.inf
    random_state: Any = None
    cost_every: int = 1
    warm_start: bool = False
    dtype: str | None = None
    progress: bool | None = None
    verbose: bool | int = False
    jit_compile: bool | str = "auto"

    _score = "accuracy"  # the validation score: "accuracy" or "r2" (xpnet.scores.SCORES)

    # -- what a model is: its layers, and its parameters in the course's layout ------

    def _hidden(self) -> tuple[int, ...]:
        """n_1, ..., n_(L−1): the hidden layers' sizes."""
        raise NotImplementedError

    def _activation(self) -> str | None:
        """The hidden layers' activation (None where there are no hidden layers)."""
        raise NotImplementedError

    def _check_architecture(self) -> None:
        """Subclasses validate their own hyperparameters."""

    def _output_head(self, n_y: int) -> str:
        """The output layer's head for n_y units (:data:`xpnet.losses.OUTPUTS`)."""
        raise NotImplementedError

    def _architecture(self, n_x: int, n_y: int, output: str | None = None) -> Architecture:
        """The layers for n_x features and n_y outputs; ``output`` overrides the head
        that n_y chooses (K independent sigmoids for multilabel targets)."""
        head = output or self._output_head(n_y)
        return Architecture((n_x, *self._hidden(), n_y), self._activation(), head)

    def _targets(self, y: Any, n: int, backend: Backend, classes: np.ndarray | None) -> Targets:
        """y checked, in the course's layout on the model's device."""
        raise NotImplementedError

    def _blocks(self, X: Any, y: Any, sample_weight: Any, classes: np.ndarray | None):
        """Dask arrays checked: a data source of blocks, the backend, the classes (None
        for a regressor) and n_y, the output units."""
        raise NotImplementedError

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
    ) -> Any:
        """Train for ``num_iterations`` epochs (fewer if the stopping rule ends it).

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
        y : array of shape (n_samples,)
            A classifier's labels: any two or more distinct ones (more than two switch
            the output to softmax). A regressor's targets: (n_samples,) or
            (n_samples, n_targets).
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

    def _fit(
        self, X, y, sample_weight, callback, epochs, incremental, classes=None, partial=False
    ):
        self._check_hyperparameters()
        if partial and self.early_stopping:  # in memory and on Dask alike
            raise ValueError(
                "Invalid early_stopping=True with partial_fit: partial_fit does not support "
                "early_stopping=True, as a piece of data leaves nothing to hold out. Expected "
                "early_stopping=False, or fit(X, y)"
            )
        fitted = self._placed() if incremental and "fitted_" in self.__dict__ else None
        names = feature_names(X)
        if fitted is not None:
            classes = fitted.classes
            check_feature_names(fitted.feature_names, names, type(self).__name__)
        blocks = is_dask_array(X)
        if blocks:  # a source of blocks: one compute a step
            if self.early_stopping:
                raise ValueError(
                    "Invalid early_stopping=True with Dask arrays. Expected a validation set "
                    "held out by you: score it in a callback and return True to stop"
                )
            source, backend, classes, n_y = self._blocks(X, y, sample_weight, classes)
        else:
            X, backend, _ = check_X(X, None if fitted is None else fitted.backend, self.dtype)
            targets = self._targets(y, X.shape[0], backend, classes)
            weights = check_sample_weight(sample_weight, X.shape[0], backend)
            classes, n_y = targets.classes, targets.Y.shape[0]
        architecture = self._architecture(X.shape[1], n_y, None if blocks else targets.output)
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
            if self.early_stopping:
                X, targets, weights, validation = early_stopping_split(
                    backend, X, targets, weights, self.validation_fraction, state.seed
                )
            source = InMemory(X, targets.Y, weights, backend.xp, rows=True)  # samples: rows
        state = run(
            self._config(network, source.m, blocks),
            state,
            source,
            epochs=epochs,
            validation=validation,
            callback=callback,
            model=self,
            progress=sys.stderr.isatty() if self.progress is None else bool(self.progress),
            verbose=bool(self.verbose),
            desc=type(self).__name__,
            xp=backend.xp,
        )
        # Only now, with everything validated and trained, does the model change.
        self.fitted_ = FittedState.after_training(
            self.get_params(), architecture, state, classes, backend, names
        )
        if not partial and self.tol is not None and state.stopped is None:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({epochs}) reached and the "
                "optimization hasn't converged yet: the stopping rule (tol, n_iter_no_change) "
                "was still waiting. Raise num_iterations, or set tol=None to train exactly "
                "num_iterations epochs",
                convergence(),
                stacklevel=3,
            )
        return self

    def _config(self, network: Network, m: int, blocks: bool = False) -> TrainingConfig:
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
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            cost_every=self.cost_every,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            jit_compile=self.jit_compile,
            score=self._score,
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
