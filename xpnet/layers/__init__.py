"""The layers a :class:`~xpnet.network.Network` stacks, one module per kind.

==================  ==============================================================
:mod:`.base`        the :class:`Layer` protocol: what the network needs of a layer
:mod:`.dense`       the course's linear unit, linear → activation and inverted
                    dropout, and the layers :class:`Dense` and :class:`Dropout`
:mod:`.conv`        the convolution, forward and back, and the layer :class:`Conv2D`
:mod:`.conv_split`  the convolution at stride 1 with its window split, forward and back
:mod:`.im2col`      the windows of images gathered and folded back (im2col, col2im)
:mod:`.pooling`     max and average pooling and the layers :class:`MaxPool2D`,
                    :class:`AveragePool2D` and :class:`Flatten`
:mod:`.recurrent`   the course's RNN and LSTM cells, forward and back through time
:mod:`.sequence`    the layers :class:`SimpleRNN`, :class:`LSTM` and :class:`TimeDense`
==================  ==============================================================

A layer kind is one module: its forward and its backward side by side, each equation
once with its formula as a comment. The network, the training loop and the estimators
learn nothing new when a kind arrives.
"""

from .base import Layer
from .conv import Conv2D, ConvCache, conv2d_backward, conv2d_forward
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
from .pooling import AveragePool2D, Flatten, MaxPool2D, PoolCache, pool2d_backward, pool2d_forward
from .sequence import LSTM, SimpleRNN, TimeDense

__all__ = [
    "LSTM",
    "AveragePool2D",
    "Cache",
    "Conv2D",
    "ConvCache",
    "Dense",
    "Dropout",
    "Flatten",
    "Layer",
    "LinearCache",
    "MaxPool2D",
    "PoolCache",
    "SimpleRNN",
    "TimeDense",
    "conv2d_backward",
    "conv2d_forward",
    "dropout_backward",
    "dropout_forward",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "pool2d_backward",
    "pool2d_forward",
]
