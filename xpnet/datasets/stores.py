"""Zarr stores: X and y on disk, read lazily as Dask arrays whose blocks are the chunks.

A store of raw chunks (:func:`save_zarr`'s default) is read with one copy from each
chunk file; any other layout through Zarr itself, one chunk per block.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np  # edge: data loading happens on the host

from ..io import check_writable, replacing

__all__ = ["load_zarr", "save_zarr", "zarr_array"]

#: What a store of X and y holds, in Zarr format 3 or 2.
_STORE = {"X", "y", "zarr.json", ".zgroup", ".zattrs", ".zmetadata"}


class RawChunks:
    """An array stored as raw chunk files (Zarr format 3, the ``bytes`` codec alone):
    ``self[index]`` reads the one chunk file that holds ``index`` with ``np.fromfile``
    and returns a view of its rows (an edge chunk is stored whole)."""

    def __init__(self, array: Any, path: Path) -> None:
        meta = array.metadata
        self.path, self.shape, self.ndim = path, tuple(array.shape), len(array.shape)
        self.chunk_shape = tuple(array.chunks)
        self.dtype = np.dtype(array.dtype).newbyteorder(
            "<" if str(meta.codecs[0].endian.value) == "little" else ">"
        )
        self.fill_value = meta.fill_value
        self.separator = meta.chunk_key_encoding.separator

    def __dask_tokenize__(self) -> tuple:  # a store rewritten is another array
        written = (self.path / "zarr.json").stat().st_mtime_ns
        return (str(self.path), written, self.shape, self.chunk_shape, self.dtype.str)

    def __getitem__(self, index: tuple[slice, ...]) -> np.ndarray:
        starts = [s.start or 0 for s in index]
        chunk = tuple(a // c for a, c in zip(starts, self.chunk_shape, strict=True))
        origin = [k * c for k, c in zip(chunk, self.chunk_shape, strict=True)]
        file = self.path / self.separator.join(["c", *map(str, chunk)])
        if file.exists():
            block = np.fromfile(file, dtype=self.dtype).reshape(self.chunk_shape)
        else:  # a chunk never written holds the fill value
            block = np.full(self.chunk_shape, self.fill_value, dtype=self.dtype)
        within = tuple(
            slice(a - o, (s.stop if s.stop is not None else n) - o)
            for a, o, s, n in zip(starts, origin, index, self.shape, strict=True)
        )
        return block[within]


def _raw(array: Any, path: Path) -> RawChunks | None:
    """The array's chunk files, where each is the raw bytes of one chunk; else None."""
    meta = array.metadata
    codecs: tuple[Any, ...] = tuple(getattr(meta, "codecs", ()))
    if getattr(meta, "zarr_format", 2) != 3 or len(codecs) != 1:
        return None
    plain = (
        type(codecs[0]).__name__ == "BytesCodec"
        and type(meta.chunk_key_encoding).__name__ == "DefaultChunkKeyEncoding"
        and type(meta.chunk_grid).__name__ == "RegularChunkGrid"
        and (path / "zarr.json").is_file()
    )
    return RawChunks(array, path) if plain else None


def zarr_array(path: str | os.PathLike[str], component: str) -> Any:
    """The array ``component`` of a Zarr store as a lazy Dask array, one block a chunk."""
    import dask.array as da
    import zarr

    array = zarr.open_array(str(Path(path) / component), mode="r")
    raw = _raw(array, Path(path) / component)
    if raw is None:
        return da.from_zarr(array)
    return da.from_array(
        raw,
        chunks=raw.chunk_shape,
        asarray=False,
        fancy=False,
        meta=np.empty((0,) * raw.ndim, dtype=raw.dtype),
    )


def load_zarr(path: str | os.PathLike[str], *, test_size: float = 0.2):
    """X_train, y_train, X_test, y_test: a Zarr store's arrays ``X`` (n_samples,
    n_features) and ``y`` (n_samples,) as lazy Dask arrays chunked as stored, the last
    ``test_size`` of the rows held out (a slice: shuffle the rows when writing)."""
    try:
        import dask.array  # noqa: F401
        import zarr  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "Reading a Zarr store needs Dask and Zarr. Install them with: "
            "pip install 'xpnet[dask]'"
        ) from exc
    if not Path(path).is_dir():
        raise FileNotFoundError(
            f"Expected a Zarr store (a folder). Received {str(path)!r}, which does not exist"
        )
    try:
        X, y = zarr_array(path, "X"), zarr_array(path, "y")
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(
            f"Expected a Zarr store with arrays X and y. Received {str(path)!r}: {exc}"
        ) from exc
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"Expected X of shape (n_samples, n_features) and y of shape (n_samples,) in "
            f"{str(path)!r}. Received {X.shape} and {y.shape}"
        )
    n_test = max(1, round(X.shape[0] * test_size))
    cut = X.shape[0] - n_test
    return X[:cut], y[:cut], X[cut:], y[cut:]


def save_zarr(
    path: str | os.PathLike[str],
    X: Any,
    y: Any,
    *,
    chunk_rows: int = 10_000,
    compressors: Any = None,
) -> Path:
    """Write X and y (NumPy or Dask arrays) to a Zarr store that :func:`load_zarr` reads;
    the store's path.

    The store is written beside ``path`` and then takes its place (:func:`xpnet.io.replacing`):
    an interrupted write leaves an earlier store as it was, and X and y may be read
    lazily from the store they replace. ``path`` must be new or a store of X and y; a
    folder holding anything else is refused, never overwritten.

    Parameters
    ----------
    chunk_rows : int
        Rows per chunk of a NumPy X (a Dask X keeps its chunks): the blocks training
        reads (aim for 10–100 MB).
    compressors : None or Zarr codecs
        None stores each chunk raw, read with one copy from the file; a light codec
        (``zarr.codecs.BloscCodec(cname="lz4", clevel=1)``) suits slow disks or data that
        compresses well.
    """
    import dask.array as da
    import zarr

    given = os.fspath(path)
    path = check_writable(path, folder=True)
    other = sorted(set(os.listdir(path)) - _STORE) if path.is_dir() else []
    if other:
        raise FileExistsError(
            "Invalid path. Expected a new folder or a Zarr store of X and y to replace. "
            f"Received: path={given!r}, a folder that also holds {other[:5]}"
        )
    X = X if hasattr(X, "to_zarr") else da.from_array(np.asarray(X), chunks=(chunk_rows, -1))
    y = y if hasattr(y, "to_zarr") else da.from_array(np.asarray(y), chunks=(chunk_rows,))
    codec = {"compressors": compressors} if int(zarr.__version__[0]) >= 3 else {}
    if not codec:  # Zarr 2 spells it in the singular
        codec = {"compressor": compressors}
    with replacing(path, f"the Zarr store {given!r}", folder=True) as tmp:
        X.to_zarr(str(tmp), component="X", overwrite=True, **codec)
        y.rechunk((X.chunks[0],)).to_zarr(str(tmp), component="y", overwrite=True, **codec)
    return path
