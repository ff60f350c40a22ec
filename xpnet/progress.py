"""A progress bar for long training runs: on a terminal, silent elsewhere."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tqdm.auto import tqdm

__all__ = ["progress_bar"]


@contextlib.contextmanager
def progress_bar(total: int, *, enabled: bool, desc: str = "", unit: str = "it") -> Iterator[Any]:
    """A tqdm bar over ``total`` steps; a bar that draws nothing when not ``enabled``."""
    bar = tqdm(total=total, desc=desc, disable=not enabled, unit=unit, leave=True)
    try:
        yield bar
    finally:
        bar.close()
