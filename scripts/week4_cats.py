"""Week 4: a two-layer and a four-layer network on the cat vs non-cat images.

    python scripts/week4_cats.py --data-dir path/to/catvnoncat

Two-layer (12288, 7, 1), ReLU, randn·0.01 from RandomState(1), learning rate 0.0075,
2,500 iterations: the course reports 100% train, 72% test. Four-layer
[12288, 20, 7, 5, 1], ReLU, randn/√n_prev from RandomState(1), same rate and
iterations: 98.56% train, 80% test.
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
    parser.add_argument("--iterations", type=positive_int, default=2500)
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("the cat images are needed: pass --data-dir DIR or set XPNET_DATA_DIR")

    X_train, y_train, X_test, y_test, _classes = load_catvnoncat(args.data_dir)
    models = {
        "two_layer": xpnet.TwoLayerNet(
            **{**xpnet.recipes.CATS_TWO_LAYER, "num_iterations": args.iterations}
        ),
        "four_layer": xpnet.DeepNet(
            **{**xpnet.recipes.CATS_DEEP, "num_iterations": args.iterations}
        ),
    }
    course = {"two_layer": ("100%", "72%"), "four_layer": ("98.56%", "80%")}
    results = {}
    for name, model in models.items():
        model.fit(
            X_train,
            y_train,
            callback=lambda e: (
                e.epoch % 500 or print(f"Cost after iteration {e.epoch}: {e.cost:f}")
            ),
        )
        results[name] = {
            "train": model.score(X_train, y_train),
            "test": model.score(X_test, y_test),
        }
        print(
            f"{name}: train {100 * results[name]['train']:.2f}% (course: {course[name][0]}), "
            f"test {100 * results[name]['test']:.2f}% (course: {course[name][1]})"
        )
    print(f"on {xpnet.get_backend()}")
    return results


if __name__ == "__main__":  # an error is one line and exit status 2, as xpnet's own
    raise SystemExit(run(main, None, prog="week4_cats.py"))
