"""A progress bar for long training runs: on a terminal, silent elsewhere."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["progress_bar"]


class _Silent:
    """A bar that draws nothing: tqdm is not even imported (in a notebook without
    ipywidgets, importing ``tqdm.auto`` warns)."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextlib.contextmanager
def progress_bar(total: int, *, enabled: bool, desc: str = "", unit: str = "it") -> Iterator[Any]:
    """A tqdm bar over ``total`` steps (a notebook's widget where ipywidgets is there);
    a bar that draws nothing when not ``enabled``."""
    if not enabled:
        yield _Silent()
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, leave=True)
    try:
        yield bar
    finally:
        bar.close()
