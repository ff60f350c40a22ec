"""Week 2: logistic regression as a neural network, on the cat vs non-cat images.

    python scripts/week2_logistic_cats.py --data-dir path/to/catvnoncat

The course's settings: zeros, learning rate 0.005, 2,000 iterations. It reports 99.04%
train and 70% test accuracy.
"""

import argparse
import os

import xpnet
from xpnet.cli_errors import positive_int, run
from xpnet.datasets import load_catvnoncat


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("XPNET_DATA_DIR"),
        help="folder of the HDF5 files (or XPNET_DATA_DIR)",
    )
    parser.add_argument("--learning-rate", type=float, default=0.005)
    parser.add_argument("--iterations", type=positive_int, default=2000)
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("the cat images are needed: pass --data-dir DIR or set XPNET_DATA_DIR")

    X_train, y_train, X_test, y_test, _classes = load_catvnoncat(args.data_dir)
    recipe = xpnet.recipes.CATS_LOGISTIC
    model = xpnet.LogisticRegression(
        **{**recipe, "learning_rate": args.learning_rate, "num_iterations": args.iterations}
    )

    def report(event):
        if event.cost is not None:
            print(f"Cost after iteration {event.epoch}: {event.cost:f}")

    model.fit(X_train, y_train, callback=report)
    results = {"train": model.score(X_train, y_train), "test": model.score(X_test, y_test)}
    print(f"train accuracy: {100 * results['train']:.2f}% (course: 99.04%)")
    print(f"test accuracy: {100 * results['test']:.2f}% (course: 70%)")
    print(f"on {xpnet.get_backend()}")
    return results


if __name__ == "__main__":  # an error is one line and exit status 2, as xpnet's own
    raise SystemExit(run(main, None, prog="week2_logistic_cats.py"))
