"""The course's functions, under the course's names: thin wrappers over xpnet's engine.

A learner who knows the notebooks finds them all here, and each runs the engine every
model of xpnet trains through (:class:`xpnet.network.Network` and the optimisers and
schedules), so what they compute is what the estimators compute.

==================  ==============================================================
course 1, week 2    :func:`propagate`
course 1, week 3    :func:`forward_propagation`, :func:`backward_propagation`
course 1, week 4    :func:`initialize_parameters`, :func:`L_model_forward`,
                    :func:`L_model_backward`, :func:`compute_cost`,
                    :func:`update_parameters`
course 2, week 2    :func:`random_mini_batches`, :func:`initialize_velocity`,
                    :func:`update_parameters_with_momentum`, :func:`initialize_adam`,
                    :func:`update_parameters_with_adam`, :func:`update_lr`,
                    :func:`schedule_lr_decay`, :func:`exponential_decay`
course 4, week 1    :func:`zero_pad`, :func:`conv_single_step`, :func:`conv_forward`,
                    :func:`pool_forward`, :func:`conv_backward`,
                    :func:`create_mask_from_window`, :func:`distribute_value`,
                    :func:`pool_backward` (images (m, n_H, n_W, n_C): :mod:`.cnn`)
course 5, week 1    :func:`rnn_cell_forward`, :func:`rnn_forward`,
                    :func:`rnn_cell_backward`, :func:`rnn_backward`,
                    :func:`lstm_cell_forward`, :func:`lstm_forward`,
                    :func:`lstm_cell_backward`, :func:`lstm_backward`;
                    the language model's :func:`clip`, :func:`sample`,
                    :func:`optimize` and :func:`model`
==================  ==============================================================

Examples are columns: X has shape (n_x, m) and Y shape (1, m), or (K, m) one-hot with a
softmax output; ``parameters`` is ``{"W1": (n_1, n_x), "b1": (n_1, 1), ...}``. Each
function checks the shapes the course states and refuses others with what it expected
and what it received, rather than broadcasting, and takes arrays of one library on
one device. Labels are 0 or 1 (one-hot columns with a softmax; any numbers with an
identity output), as floats, integers or booleans. The building blocks
(``linear_forward``, ``linear_activation_backward``, ...) are the engine's own, in
:mod:`xpnet.layers`.
"""

from .char_lm import clip, model, optimize, sample
from .cnn import (
    conv_backward,
    conv_forward,
    conv_single_step,
    create_mask_from_window,
    distribute_value,
    pool_backward,
    pool_forward,
    zero_pad,
)
from .networks import (
    L_model_backward,
    L_model_forward,
    backward_propagation,
    compute_cost,
    exponential_decay,
    forward_propagation,
    initialize_adam,
    initialize_parameters,
    initialize_velocity,
    propagate,
    random_mini_batches,
    schedule_lr_decay,
    update_lr,
    update_parameters,
    update_parameters_with_adam,
    update_parameters_with_momentum,
)
from .rnn import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

__all__ = [
    "L_model_backward",
    "L_model_forward",
    "backward_propagation",
    "clip",
    "compute_cost",
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "exponential_decay",
    "forward_propagation",
    "initialize_adam",
    "initialize_parameters",
    "initialize_velocity",
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "model",
    "optimize",
    "pool_backward",
    "pool_forward",
    "propagate",
    "random_mini_batches",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "sample",
    "schedule_lr_decay",
    "update_lr",
    "update_parameters",
    "update_parameters_with_adam",
    "update_parameters_with_momentum",
    "zero_pad",
]
