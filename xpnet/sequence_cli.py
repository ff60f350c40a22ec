"""``xpnet train`` for the sequence models.

``--model sequence``: the sequence classifier on the generated task. ``--data marked_xor``
(the default) draws 1,000 sequences of 10 steps to train on and 1,000 to test on
(:func:`xpnet.datasets.make_marked_xor`, seeds ``--seed`` and ``--seed`` + 1). The model
is an LSTM with :data:`xpnet.datasets.sequences.MARKED_XOR`'s hyperparameters;
``--hidden`` sets n_a, ``--activation`` the cell (lstm or rnn), ``--epochs``,
``--learning-rate``, ``--optimizer``, ``--batch-size``, ``--l2``, ``--keep-prob``,
``--compile``, ``--early-stopping`` and ``--random-state`` the rest. It prints the loss
every ``--print-every`` epochs, then the train and test accuracy.

``--model char_rnn``: the course's language model. ``--data dinos`` (the default) reads
the course's dinosaur names from ``--data-dir`` or ``XPNET_DATA_DIR``; any other value
is a text file, one line per example. ``--hidden`` sets n_a, ``--epochs`` the number of
steps (one line each; the course's 22,001 by default), ``--random-state`` the seeds (0:
the course's run), ``--save`` a model file. It prints the smoothed loss, then names
sampled with the course's seeds 0 to 6.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from .cli_errors import settings
from .datasets import load_dinos
from .datasets.sequences import MARKED_XOR, make_marked_xor
from .datasets.text import read_text
from .models.char_rnn import CharRNN
from .models.sequence import SequenceClassifier

__all__ = ["train_char_rnn", "train_sequence"]


def _int(text: str, flag: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"Invalid {flag} for --model sequence. Expected one int. Received: {flag}={text!r}"
        ) from None


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    n_a = None if args.hidden is None else _int(args.hidden, "--hidden")
    chosen = {"cell": args.activation, "n_a": n_a}
    return settings(args, {**MARKED_XOR, "random_state": 0}, **chosen)


def train_sequence(args: argparse.Namespace) -> int:
    """Train a :class:`~xpnet.SequenceClassifier` on the marked-XOR task; print its
    loss and its accuracy."""
    data = args.data or "marked_xor"
    if data != "marked_xor":
        raise ValueError(
            f"Invalid --data for --model sequence. Expected marked_xor. Received: {data!r}"
        )
    if args.resume:
        raise ValueError(
            "Invalid --resume with --model sequence. Expected a new model: train it again "
            "with more --epochs"
        )
    seed = 0 if args.seed is None else args.seed
    X_train, y_train = make_marked_xor(1000, T=10, random_state=seed)
    X_test, y_test = make_marked_xor(1000, T=10, random_state=seed + 1)
    model = SequenceClassifier(**_settings(args))
    print(f"Training {model!r} on {data} (1000 sequences of 10 steps)")
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    every = args.print_every or 10
    for epoch, loss in enumerate(model.loss_curve_):
        if epoch % every == 0 or epoch == len(model.loss_curve_) - 1:
            print(f"Cost after epoch {epoch}: {loss:f}")
    print(f"Train accuracy: {100 * model.score(X_train, y_train):.2f}%")
    print(f"Test accuracy: {100 * model.score(X_test, y_test):.2f}%")
    print(f"({seconds:.1f} s on {model.backend_.name})")
    if args.save:
        metadata = {"data": data, "seed": seed}
        print(f"Saved to {model.save(args.save, metadata=metadata)}")
    return 0


def _lines(args: argparse.Namespace) -> list[str]:
    name = args.data or "dinos"
    if name == "dinos":
        return load_dinos(args.data_dir)
    path = Path(name)
    if not path.is_file():
        raise FileNotFoundError(
            f"Invalid --data for char_rnn. Expected dinos or a text file. Received: {name!r}"
        )
    return [line for line in read_text(path, "--data").split("\n") if line.strip()]


def train_char_rnn(args: argparse.Namespace) -> int:
    """Train a :class:`~xpnet.CharRNN` as the options say; print its loss and samples."""
    lines = _lines(args)
    n_a = int(args.hidden) if args.hidden else None
    chosen = {"num_iterations": args.iterations, "n_a": n_a, "random_state": args.random_state}
    model = CharRNN(
        verbose=not args.no_progress, **{k: v for k, v in chosen.items() if v is not None}
    )
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
