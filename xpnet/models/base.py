"""What every estimator shares: hyperparameters, ``fit``, the forward pass of
prediction, the fitted attributes, files and pickles.

Rows are samples, X of shape (n_samples, n_features), as in scikit-learn; inside, the
network works on ``X.T`` of shape (n_x, m). Host data goes to the backend in force
(:func:`xpnet.get_backend`) and results come back to the host; backend arrays are used,
and answered, where they live. A fitted model lives where its training data lived.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

import numpy as np  # edge: host-side labels and weights

from ..backend import Backend, BackendUnavailableError, to_numpy
from ..dask_arrays import is_dask_array, predict_blocks
from ..exceptions import not_fitted
from ..initializers import draw_parameters
from ..network import Network
from ..training import Epoch
from ._validation import check_feature_names, check_sample_weight, check_X, feature_names
from .files import from_state, getstate, setstate, to_state
from .files import save as save_model
from .fitted import FITTED_ATTRIBUTES, Architecture, FittedState, placement
from .fitting import check_features, check_scale, fit_estimator
from .hyperparameters import (
    HYPERPARAMETERS,
    changed_repr,
    check_hyperparameters,
    get_params,
    set_params,
    sklearn_tags,
)

__all__ = ["BaseEstimator"]

Array = Any


@dataclass(eq=False, repr=False)
class BaseEstimator:
    """Base of the estimators.

    A subclass gives its layers (:meth:`_layers`) and its head, targets and score
    (:class:`BaseClassifier`, :class:`BaseRegressor`), its hyperparameters as fields with
    their constraints (:mod:`.hyperparameters`); a new kind of network overrides
    :meth:`_input` (X checked, and the shape of one example), :meth:`_architecture`,
    :meth:`_network` and :meth:`_initial_parameters`. scikit-learn's names mean what they
    mean there, the course's (``learning_rate``, ``num_iterations``, ``l2``, ``beta``) what
    they mean in the course: momentum averages, v = βv + (1 − β)·dW.

    Parameters
    ----------
    learning_rate : float
        α, the initial step size.
    num_iterations : int
        The number of epochs (the command line's ``--epochs``).
    optimizer : {"adam", "gd", "momentum", "rmsprop"}
    batch_size : int, "auto" or None
        Examples per step; "auto" takes min(200, n_samples) (on Dask arrays one block a
        step), None the whole set.
    shuffle : bool
        Shuffle the examples before each epoch (mini-batches only).
    l2 : float
        λ of L2 regularisation: J + λ/(2m)·Σ‖W‖² (scikit-learn's ``alpha``).
    keep_prob : float
        Inverted dropout on the hidden layers keeps each unit with this probability.
    initialization : str
        One of :data:`xpnet.initializers.METHODS`: "pytorch" (W and b ~
        U(±1/√n_prev)), "glorot", "he", "xavier" (randn/√n_prev), "random", "zeros", ...
    scale : float
        The standard deviation of ``initialization="random"``.
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
        Hold out ``validation_fraction`` of the data (stratified for a classifier), score
        it each epoch (accuracy or R²), stop when it stops improving and keep the best
        parameters. Not with ``partial_fit``.
    validation_fraction : float
    tol : float or None
        The stopping rule's minimum improvement; None trains every epoch.
    n_iter_no_change : int or math.inf
        Epochs without an improvement of ``tol`` before stopping.
    random_state : None, int, RandomState or Generator
        Seeds the initial weights, the shuffles, dropout and the validation split.
    cost_every : int
        Record the cost in ``costs_`` every this many epochs.
    warm_start : bool
        Continue from the fitted state (parameters, optimiser, epochs) on the next fit.
    dtype : {None, "float32", "float64"}
        None keeps a floating backend array's dtype and otherwise takes the backend's.
    progress : bool or None
        Show a progress bar over the epochs; None shows it on a terminal only.
    verbose : bool or int
        Print each epoch's loss, as scikit-learn does (``Iteration 3, loss = 0.41234567``).
    jit_compile : {"auto", True, False}
        Compile the training step; "auto" reads ``XPNET_COMPILE``, else compiles on JAX.
    clip_value : float or None
        Clip every gradient element to [−clip_value, clip_value] before each update.
    clip_norm : float or None
        Scale all the gradients by min(1, clip_norm / (‖g‖ + 10⁻⁶)), ‖g‖ their joint
        norm (after ``clip_value``).

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
        When ``fit`` stops at ``num_iterations`` before the stopping rule (``tol`` set).
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
    clip_value: float | None = None
    clip_norm: float | None = None

    #: Each hyperparameter → what it accepts (:mod:`.hyperparameters`).
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = HYPERPARAMETERS
    _estimator_type: ClassVar[str] = "classifier"  # or "regressor" (scikit-learn < 1.6)
    _score: ClassVar[str] = "accuracy"  # the validation score (xpnet.scores.SCORES)

    def _layers(self) -> tuple[tuple[int, ...], str | None]:
        """n_1, ..., n_(L−1), the hidden layers' sizes, and their activation (None where
        there are none)."""
        raise NotImplementedError

    def _output_head(self, n_y: int) -> str:
        """The output layer's head for n_y units (:data:`xpnet.losses.OUTPUTS`)."""
        raise NotImplementedError

    def _input(
        self, X: Any, fitted: FittedState | None, dtype: str | None
    ) -> tuple[Array, Backend, bool, Any]:
        """X checked, where it lives, whether it came from the host, and n_x, the input
        size (an int, or an image's shape); ``fitted`` is None for a fresh fit."""
        X, backend, host = check_X(X, None if fitted is None else fitted.backend, dtype)
        return X, backend, host, X.shape[1]

    def _architecture(self, n_x: int, n_y: int, output: str | None = None) -> Architecture:
        """The layers for n_x features and n_y outputs; ``output`` overrides the head."""
        hidden, activation = self._layers()
        return Architecture((n_x, *hidden, n_y), activation, output or self._output_head(n_y))

    def _network(
        self, architecture: Architecture, *, keep_prob: float = 1.0, l2: float = 0.0
    ) -> Network:
        """The network that trains (with dropout and L2) and predicts these layers."""
        hidden = architecture.activation or "relu"  # without hidden layers, never applied
        L = len(architecture.dims) - 1
        return Network.dense(L, hidden, architecture.output, keep_prob=keep_prob, l2=l2)

    def _initial_parameters(
        self, architecture: Architecture, rng: Any, backend: Backend
    ) -> dict[str, Array]:
        """The parameters to start from, ``{"W1", "b1", ...}``, on ``backend``."""
        dims = architecture.dims
        return draw_parameters(rng, dims, self.initialization, self.scale, backend)

    get_params = get_params
    set_params = set_params
    __repr__ = changed_repr
    __sklearn_tags__ = sklearn_tags

    def _check_hyperparameters(self) -> None:
        check_hyperparameters(self.get_params(), self._parameter_constraints)

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
        y : array of shape (n_samples,), or (n_samples, n_targets) for a regressor
        sample_weight : array of shape (n_samples,), optional
            Each example's weight in the cost and its gradient.
        callback : callable, optional
            Called with an :class:`xpnet.training.Epoch` after each epoch; returning True
            stops training.

        Returns
        -------
        self
        """
        fit_estimator(self, X, y, sample_weight, callback, self.num_iterations, self.warm_start)
        return self

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
        """The fitted state, its arrays on a backend: an error where it is missing."""
        fitted = self._fitted()
        if fitted.backend is None:
            where = fitted.trained_on
            raise BackendUnavailableError(
                f"This {type(self).__name__} was trained on {where['backend']} "
                f"({where['device']}), which is not available here: {fitted.unavailable}. "
                "Move it with model.to_backend('numpy') (or any backend available here)"
            )
        return fitted

    def __getattr__(self, name: str) -> Any:
        """The fitted attributes of :data:`FITTED_ATTRIBUTES`, read from ``fitted_``."""
        read = FITTED_ATTRIBUTES.get(name)
        if read is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return read(self._fitted())

    @property
    def parameters_(self) -> dict[str, Array]:
        """The parameters ``{"W1", "b1", ...}``, on the model's device."""
        return self._placed().training.parameters

    @property
    def optimizer_state_(self) -> dict[str, Any]:
        """The optimiser's state (its moments, its step count), on the model's device."""
        return self._placed().training.optimizer_state

    @property
    def backend_(self) -> Backend:
        """Where the fitted arrays live."""
        return self._placed().backend  # type: ignore[return-value]

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The column names of the DataFrame it was fitted on; absent without them."""
        names = self._fitted().feature_names
        if names is None:
            raise AttributeError(
                f"{type(self).__name__} was fitted on data without feature names: it has "
                "no feature_names_in_"
            )
        return names

    def to_backend(self, name: str, device: str | None = None, dtype: str | None = None):
        """The fitted model moved to another backend, device or dtype (a new object)."""
        fitted = self._fitted()
        moved: Any = type(self)(**self.get_params())
        moved.fitted_ = fitted.placed(placement(name, device, dtype, fitted.trained_on["dtype"]))
        return moved

    def to_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The fitted model as a JSON-able header and host arrays (:func:`.files.to_state`)."""
        return to_state(self)

    #: The model that :meth:`to_state` described, on a backend (:func:`.files.from_state`).
    _from_state: ClassVar[Any] = classmethod(from_state)

    def save(self, path: Any, *, metadata: dict | None = None) -> Any:
        """Write the fitted model to one ``.npz`` file; see :func:`xpnet.save`."""
        return save_model(self, path, metadata=metadata)

    __getstate__ = getstate
    __setstate__ = setstate

    #: Refuses parameters that diverged and X that overflows the network's arithmetic.
    _check_scale = staticmethod(check_scale)

    def _logits(self, X: Any) -> tuple[Array, bool]:
        """The output layer's Z[L] of shape (n_y, n_samples), finite; host or not."""
        fitted = self._placed()
        check_feature_names(fitted.feature_names, feature_names(X), type(self).__name__)
        X, backend, host, n_x = self._input(X, fitted, None)
        check_features(self, n_x, fitted)
        network = self._network(fitted.architecture)
        self._check_scale(X, fitted.training.parameters, backend)
        rows = network.sample_axis == 1  # a network of the course's columns takes X.T
        ZL, _ = network.forward(X.T if rows else X, fitted.training.parameters, xp=backend.xp)
        return ZL, host

    def _output(self, X: Any) -> tuple[Array, bool]:
        """The output layer's activation A[L] = g(Z[L]) of shape (n_y, n_samples)."""
        ZL, host = self._logits(X)
        head = self._network(self._fitted().architecture).head
        return head.activation(ZL, xp=self.backend_.xp), host

    def _predict_lazy(self, X: Any, proba: bool) -> Any:
        """Lazy predictions of a Dask array X, block by block (``map_blocks``)."""
        self._placed()
        return predict_blocks(self, X, proba=proba)

    def _judged(self, X: Any, y: Any, sample_weight: Any) -> tuple[np.ndarray, np.ndarray, Any]:
        """What a score compares, on the host: ``predict(X)``, y of its shape, the weights."""
        predicted, y = (
            to_numpy(a.compute() if is_dask_array(a) else a) for a in (self.predict(X), y)
        )
        if y.shape != predicted.shape:
            raise ValueError(
                f"Expected y of shape {predicted.shape}, one per row of X. Received y of shape "
                f"{y.shape}"
            )
        if is_dask_array(sample_weight):  # as fit takes them
            sample_weight = sample_weight.compute()
        if sample_weight is not None:
            sample_weight = to_numpy(check_sample_weight(sample_weight, y.shape[0], self.backend_))
        return predicted, y, None if sample_weight is None else sample_weight[0]
