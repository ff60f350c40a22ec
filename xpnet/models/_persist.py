"""A fitted model's state as attributes, its moves between backends, its files and pickles.

:class:`FittedModel` is what an estimator inherits to hold its :class:`FittedState` on
one attribute, ``fitted_``, and to show it in scikit-learn's fitted attributes
(``parameters_``, ``classes_``, ``n_iter_``, ...). A file (:func:`xpnet.save`) and a
pickle hold the same host form, :meth:`FittedState.to_state`: the network the model
was fitted with and the hyperparameters it was fitted with, whatever ``set_params``
changed since.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np  # edge: the host form of a model

from ..backend import Backend, BackendUnavailableError
from ..exceptions import not_fitted
from ._fitted import Architecture, FittedState, placement
from ._params import Hyperparameters

__all__ = ["FittedModel"]

Array = Any
M = TypeVar("M", bound="FittedModel")


class FittedModel(Hyperparameters):
    """The fitted side of an estimator; subclasses give ``_architecture``, their checks
    and the layout of ``parameters_`` (``_to_course``, ``_from_course``)."""

    def _architecture(self, n_x: int, n_y: int, output: str | None = None) -> Architecture:
        raise NotImplementedError

    def _saved_outputs(
        self, header: dict[str, Any], arrays: dict[str, np.ndarray]
    ) -> tuple[int, str | None]:
        """n_y, the output units a saved model's header and arrays say it has, and its
        output head where the model would not choose it from n_y alone (multilabel)."""
        raise NotImplementedError

    def _check_hyperparameters(self) -> None:
        raise NotImplementedError

    def _check_features(self, n_x: int, fitted: FittedState) -> None:
        expected = fitted.architecture.dims[0]
        if n_x != expected:
            raise ValueError(
                f"X has {n_x} features, but {type(self).__name__} is expecting "
                f"{expected} features as input"
            )

    def _to_course(self, parameters: dict[str, Array]) -> dict[str, Array]:
        """Engine layout {W1, b1, ...} → the model's ``parameters_`` (the same but for logistic)."""
        return parameters

    def _from_course(self, parameters: dict[str, Array]) -> dict[str, Array]:
        """The inverse of :meth:`_to_course` (files of format 2 kept the model's layout)."""
        return parameters

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
    n_features_in_ = property(lambda self: self._fitted().architecture.dims[0])
    costs_ = property(
        lambda self: self._fitted().training.costs,
        doc="The course's record: the cost every ``cost_every`` epochs, over all fits.",
    )
    cost_iterations_ = property(
        lambda self: self._fitted().training.cost_epochs, doc="The epochs of ``costs_``."
    )
    epochs_trained_ = property(
        lambda self: self._fitted().training.epoch,
        doc="Epochs trained over every fit, warm starts and partial_fit calls included.",
    )
    t_ = property(
        lambda self: self._fitted().training.samples_seen,
        doc="Training samples seen over every fit (scikit-learn's ``t_``).",
    )
    output_activation_ = property(lambda self: self._fitted().architecture.output)
    backend_ = property(lambda self: self._placed().backend)
    device_ = property(lambda self: self._fitted().trained_on["device"])
    dtype_ = property(lambda self: self._fitted().trained_on["dtype"])
    stopped_ = property(lambda self: self._fitted().training.stopped)
    metadata_ = property(lambda self: self._fitted().metadata)
    trained_on_ = property(lambda self: self._fitted().trained_on)

    @property
    def n_iter_(self) -> int:
        """Epochs run by the last call to ``fit`` (``partial_fit``: 1), as in scikit-learn."""
        training = self._fitted().training
        return len(training.loss_curve) if training.loss_curve else training.epoch

    @property
    def loss_curve_(self) -> list[float]:
        """Each epoch's training loss in the last call to ``fit`` (``n_iter_`` of them),
        whatever ``cost_every`` says."""
        training = self._fitted().training
        return list(training.loss_curve) if training.loss_curve else list(training.costs)

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
        cls: type[M],
        header: dict[str, Any],
        arrays: dict[str, np.ndarray],
        backend: Backend | None = None,
    ) -> M:
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
        model.fitted_ = model._read_state(header, arrays, backend)
        return model

    @classmethod
    def _fitted_with(cls: type[M], header: dict[str, Any]) -> M:
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

    def _read_state(
        self, header: dict[str, Any], arrays: dict[str, np.ndarray], backend: Backend | None
    ) -> FittedState:
        """The fitted state a header and arrays describe, read by the model that the
        header's hyperparameters make (``self``: see :meth:`_fitted_with`)."""
        try:
            n_x = int(header["n_features_in"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"its header has no valid n_features_in: {exc}") from exc
        architecture = self._architecture(n_x, *self._saved_outputs(header, arrays))
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
                f"its {architecture.dims[-1]} output(s) do not fit a "
                f"{header.get('output_activation')} output"
            )
        layout = None if saved is not None else self._from_course  # format 2
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
        fitted = type(self)._fitted_with(header)._read_state(header, arrays, where)
        fitted.metadata = metadata
        if where is None:
            fitted.unavailable = why
        self.fitted_ = fitted

    def save(self, path: Any, *, metadata: dict | None = None) -> Any:
        """Write the fitted model to one ``.npz`` file; see :func:`xpnet.save`."""
        from . import save

        return save(self, path, metadata=metadata)


def _stops_early(fitted: FittedState) -> bool:
    return bool(fitted.hyperparameters.get("early_stopping"))
