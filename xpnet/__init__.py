"""xpnet: the classic course's neural networks, written once against the array API.

The same code runs on NumPy, CuPy, PyTorch, JAX and array-api-strict. Choose the
backend with ``XPNET_BACKEND`` or :func:`set_backend`; nothing happens at import.
"""

from . import course, recipes
from ._version import __version__
from .backend import (
    Backend,
    BackendUnavailableError,
    asarray,
    available_backends,
    get_backend,
    set_backend,
    to_numpy,
    use_backend,
)
from .exceptions import NotFittedError
from .models import (
    ConvNet,
    DeepNet,
    DeepRegressor,
    LogisticRegression,
    SequenceClassifier,
    TwoLayerNet,
    load,
    save,
)
from .models.char_rnn import CharRNN

__all__ = [
    "Backend",
    "BackendUnavailableError",
    "CharRNN",
    "ConvNet",
    "DeepNet",
    "DeepRegressor",
    "LogisticRegression",
    "NotFittedError",
    "SequenceClassifier",
    "TwoLayerNet",
    "__version__",
    "asarray",
    "available_backends",
    "course",
    "get_backend",
    "load",
    "recipes",
    "save",
    "set_backend",
    "to_numpy",
    "use_backend",
]
