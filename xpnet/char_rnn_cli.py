"""``xpnet train --model char_rnn``: the course's language model from the command line.

``--data dinos`` (the default) reads the course's dinosaur names from ``--data-dir`` or
``XPNET_DATA_DIR``; any other value is a text file, one line per example. ``--hidden``
sets n_a, ``--epochs`` the number of steps (one line each; the course's 22,001 by
default), ``--random-state`` the seeds (0: the course's run), ``--save`` a model file.
It prints the smoothed loss, then names sampled with the course's seeds 0 to 6.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .datasets import load_dinos
from .models.char_rnn import CharRNN

__all__ = ["train_char_rnn"]


def _lines(args: argparse.Namespace) -> list[str]:
    name = args.data or "dinos"
    if name == "dinos":
        return load_dinos(args.data_dir)
    path = Path(name)
    if not path.is_file():
        raise FileNotFoundError(
            f"Invalid --data for char_rnn. Expected dinos or a text file. Received: {name!r}"
        )
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def train_char_rnn(args: argparse.Namespace) -> int:
    """Train a :class:`~xpnet.CharRNN` as the options say; print its loss and samples."""
    lines = _lines(args)
    settings: dict = {"verbose": not getattr(args, "no_progress", False)}
    if args.iterations is not None:
        settings["num_iterations"] = args.iterations
    if args.hidden:
        settings["n_a"] = int(args.hidden)
    if args.random_state is not None:
        settings["random_state"] = args.random_state
    model = CharRNN(**settings)
    print(f"Training {model!r} on {args.data or 'dinos'} ({len(lines)} lines)")
    start = time.perf_counter()
    model.fit(lines)
    seconds = time.perf_counter() - start
    print(f"Loss after {model.num_iterations} iterations: {model.loss_curve_[-1]:f}")
    print(f"({seconds:.1f} s; the loss smoothed as the course smooths it)")
    for name in model.sample(7):
        print(name[:1].upper() + name[1:])
    if args.save:
        print(f"Saved to {model.save(args.save)}")
    return 0
