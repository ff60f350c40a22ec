"""The layers a :class:`~xpnet.network.Network` stacks, one module per kind.

==================  ==============================================================
:mod:`.base`        the :class:`Layer` protocol: what the network needs of a layer
:mod:`.dense`       the course's linear unit, linear → activation and inverted
                    dropout, and the layers :class:`Dense` and :class:`Dropout`
:mod:`.recurrent`   the course's RNN and LSTM cells, forward and back through time
:mod:`.sequence`    the layers :class:`SimpleRNN`, :class:`LSTM` and :class:`TimeDense`
==================  ==============================================================

A layer kind is one module: its forward and its backward side by side, each equation
once with its formula as a comment. The network, the training loop and the estimators
learn nothing new when a kind arrives.
"""

from .base import Layer
from .dense import (
    Cache,
    Dense,
    Dropout,
    LinearCache,
    dropout_backward,
    dropout_forward,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
)
from .sequence import LSTM, SimpleRNN, TimeDense

__all__ = [
    "LSTM",
    "Cache",
    "Dense",
    "Dropout",
    "Layer",
    "LinearCache",
    "SimpleRNN",
    "TimeDense",
    "dropout_backward",
    "dropout_forward",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
]
