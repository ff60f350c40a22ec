"""The scikit-learn side of an estimator: its hyperparameters by name, its repr, its tags.

Nothing here knows how a model fits or predicts; :class:`xpnet.models.BaseEstimator`
inherits this plumbing and adds that.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["Hyperparameters"]


class Hyperparameters:
    """``get_params``/``set_params`` over the constructor's keyword arguments, as
    scikit-learn's ``BaseEstimator`` has them, and the repr that shows what changed."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments, by name."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor arguments by name; returns ``self``.

        A fitted model keeps what it was fitted with until the next ``fit``: its files,
        pickles and predictions follow the fitted network, not a changed hyperparameter.
        """
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

    _estimator_type = "classifier"  # "classifier" or "regressor" (scikit-learn before 1.6)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=True, multi_output=True),  # multilabel too
            classifier_tags=ClassifierTags(multi_label=True) if classifier else None,
            regressor_tags=None if classifier else RegressorTags(),
            input_tags=InputTags(),
            array_api_support=True,
        )
