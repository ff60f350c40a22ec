"""The course's recipes: the hyperparameters of each published result, as one argument set.

The estimators' defaults serve real data; the course's models are one explicit set
away, each with the course's own start, so a change of the defaults never moves a
course number::

    xpnet.TwoLayerNet(**xpnet.recipes.PLANAR).fit(X, y)  # week 3: 90.75% in the course

Each recipe includes the course's seed (``random_state``); override any key by
passing it after the recipe: ``TwoLayerNet(**{**PLANAR, "n_h": 5})``.
"""

from __future__ import annotations

__all__ = ["CATS_DEEP", "CATS_LOGISTIC", "CATS_TWO_LAYER", "COURSE_1", "PLANAR"]

#: What course 1 trains with: full-batch gradient descent for a fixed number of steps,
#: no regularisation, the cost recorded every 100 iterations.
COURSE_1 = {"optimizer": "gd", "batch_size": None, "l2": 0.0, "tol": None, "cost_every": 100}

#: Week 3, the planar flower: tanh, 4 hidden units, W = randn·0.01 from RandomState(2),
#: rate 1.2, 10,000 iterations.
PLANAR = {
    **COURSE_1,
    "n_h": 4,
    "activation": "tanh",
    "learning_rate": 1.2,
    "num_iterations": 10_000,
    "initialization": "random",
    "scale": 0.01,
    "random_state": 2,
}

#: Week 2, cats: logistic regression from zeros, rate 0.005, 2,000 iterations.
CATS_LOGISTIC = {
    **COURSE_1,
    "learning_rate": 0.005,
    "num_iterations": 2000,
    "initialization": "zeros",
}

#: Week 4, cats: (12288, 7, 1), ReLU, W = randn·0.01 from RandomState(1), rate 0.0075.
CATS_TWO_LAYER = {
    **COURSE_1,
    "n_h": 7,
    "activation": "relu",
    "learning_rate": 0.0075,
    "num_iterations": 2500,
    "initialization": "random",
    "scale": 0.01,
    "random_state": 1,
}

#: Week 4, cats: [12288, 20, 7, 5, 1], ReLU, W = randn/√n_prev from RandomState(1).
CATS_DEEP = {
    **COURSE_1,
    "hidden_layer_sizes": (20, 7, 5),
    "activation": "relu",
    "learning_rate": 0.0075,
    "num_iterations": 2500,
    "initialization": "xavier",
    "random_state": 1,
}
