"""Course 2, week 1: initialisation. Zeros, large random, and He, on two circles.

    python scripts/course2_initialization.py

[2, 10, 5, 1], ReLU and a sigmoid output, full-batch gradient descent at rate 0.01
for 15,000 iterations, weights drawn from RandomState(3). The course reports:
zeros 50% / 50%; randn·10 83% / 86%; He (randn·√(2/n_prev)) 99.33% / 96%, with a
cost of 0.883054 at iteration 0 and 0.073579 at 14,000.

The large random start is chaotic (the course's own cost is inf at iteration 0, where
xpnet, computing it from the logits, gives a finite number): compare its accuracies
only.
"""

import argparse

import numpy as np

import xpnet
from xpnet.cli_errors import positive_int, run

COURSE = {"zeros": ("50%", "50%"), "random": ("83%", "86%"), "he": ("99.33%", "96%")}


def circles():
    """The course's data: scikit-learn's make_circles after np.random.seed(1), then (2)."""
    try:
        from sklearn.datasets import make_circles
    except ImportError:
        raise SystemExit("this script needs scikit-learn: pip install 'xpnet[data]'") from None
    train = make_circles(n_samples=300, noise=0.05, random_state=np.random.RandomState(1))
    test = make_circles(n_samples=100, noise=0.05, random_state=np.random.RandomState(2))
    return (*train, *test)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=positive_int, default=15000)
    args = parser.parse_args(argv)

    X_train, y_train, X_test, y_test = circles()
    results = {}
    for initialization in ("zeros", "random", "he"):
        recipe = {
            **xpnet.recipes.COURSE_1,  # full-batch gradient descent, no regularisation
            "hidden_layer_sizes": (10, 5),
            "learning_rate": 0.01,
            "num_iterations": args.iterations,
            "initialization": initialization,
            "scale": 10,  # "random": W = randn · 10
            "random_state": 3,
            "cost_every": 1000,
        }
        model = xpnet.DeepNet(**recipe).fit(X_train, y_train)
        results[initialization] = {
            "train": model.score(X_train, y_train),
            "test": model.score(X_test, y_test),
            "costs": dict(zip(model.cost_iterations_, model.costs_, strict=True)),
        }
        train, test = COURSE[initialization]
        print(
            f"{initialization:>6}: train {100 * results[initialization]['train']:.2f}% "
            f"(course: {train}), test {100 * results[initialization]['test']:.2f}% "
            f"(course: {test}); cost {model.costs_[0]:f} at 0, {model.costs_[-1]:f} at "
            f"{model.cost_iterations_[-1]}"
        )
    print(f"on {xpnet.get_backend()}")
    return results


if __name__ == "__main__":  # an error is one line and exit status 2, as xpnet's own
    raise SystemExit(run(main, None, prog="course2_initialization.py"))
