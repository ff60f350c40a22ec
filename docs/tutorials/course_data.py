"""Where the tutorials find the course's data files, as the test suite finds them.

The cat images: ``XPNET_DATA_DIR``, else ``shared/data/catvnoncat`` beside the
repository. The football data: ``XPNET_FOOTBALL_DIR``, else ``shared/data/football``;
the dinosaur names: ``XPNET_DINOS_DIR``, else ``shared/data/dinos``.
A missing folder stops the build with the variable to set: every tutorial runs, and
asserts the course's numbers, or the site is not built.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _folder(variable: str, name: str, marker: str) -> Path:
    folder = Path(os.environ.get(variable) or REPO.parent / "shared" / "data" / name)
    if not (folder / marker).is_file():
        raise FileNotFoundError(
            f"The course's {name} data is needed to build this page. Expected {marker} in "
            f"{folder}. Set {variable} to the folder that holds it."
        )
    return folder


def cats_dir() -> Path:
    """The folder of ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``."""
    return _folder("XPNET_DATA_DIR", "catvnoncat", "train_catvnoncat.h5")


def football_dir() -> Path:
    """The folder of the course's ``data.mat``."""
    return _folder("XPNET_FOOTBALL_DIR", "football", "data.mat")


def dinos_dir() -> Path:
    """The folder of the course's ``dinos.txt``."""
    return _folder("XPNET_DINOS_DIR", "dinos", "dinos.txt")
