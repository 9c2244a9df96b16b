"""The on-disk cache of parsed walk networks.

A parsed network is stored as an uncompressed ``.npz`` of the :class:`WalkGraph` arrays, named by
a key built from the SHA-256 of the input file's bytes, the loader version and the options that
change the result (target CRS, private ways kept). A second run on the same file therefore skips
parsing entirely; any change to the file's bytes gives a new key. Files are written to a temporary
name and moved into place with :func:`os.replace`, so a crash never leaves a half-written entry; an
entry that cannot be read (truncated, corrupt, from an incompatible version) is ignored and
rewritten. The data issues found while parsing are stored with the graph and replayed on a hit,
so ``issues.csv`` is the same whether or not the cache was used. The graph's ``source``
(:class:`~lifecircle.geo.network.NetworkSource`) is stored as JSON and read back with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from lifecircle.dataissues import DataIssue
from lifecircle.geo.network import NetworkSource, WalkGraph

logger = logging.getLogger(__name__)

_ARRAYS = ("x", "y", "edge_u", "edge_v", "edge_length_m", "node_id", "edge_steps", "node_barrier")


def _source_json(source: NetworkSource | None) -> str:
    """The graph's source as JSON: an object of the :class:`NetworkSource` fields, or null."""
    return json.dumps(asdict(source) if isinstance(source, NetworkSource) else source)


def _source_from_json(text: str) -> NetworkSource | None:
    value = json.loads(text)
    return NetworkSource(**value) if isinstance(value, dict) else value


def default_cache_dir() -> Path:
    """Return the folder parsed networks are cached in (``<user cache>/lifecircle/networks``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("lifecircle")) / "networks"


def file_digest(paths: Iterable[Path]) -> str:
    """Return the SHA-256 hex digest of the bytes of one or more files, read in order.

    Several paths are used for formats spread over sidecar files (a shapefile's ``.shp``,
    ``.dbf``, ``.prj`` …); each file's name suffix is hashed with its bytes.
    """
    h = hashlib.sha256()
    for path in paths:
        h.update(path.suffix.lower().encode())
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def cache_key(digest: str, *, loader_version: str, options: Mapping[str, object]) -> str:
    """Return the cache key of a file digest, the loader version and the loader options."""
    payload = json.dumps(
        {"digest": digest, "loader": loader_version, "options": dict(options)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:40]


def read_cached(cache_dir: Path, key: str) -> tuple[WalkGraph, list[DataIssue]] | None:
    """Return the cached graph stored under ``key`` and the data issues its parse found.

    Returns None when the entry is absent or unreadable; an unreadable entry is logged at
    WARNING level and removed, so the caller rewrites it.
    """
    path = cache_dir / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            arrays = {name: np.array(z[name]) for name in _ARRAYS}
            crs = str(z["crs"])
            source = _source_from_json(str(z["source"]))
            found = [
                DataIssue.from_json(*(str(t) for t in row))
                for row in np.array(z["issues"]).reshape(-1, 4)
            ]
        graph = WalkGraph(
            arrays["x"].astype(np.float64),
            arrays["y"].astype(np.float64),
            arrays["edge_u"].astype(np.int64),
            arrays["edge_v"].astype(np.int64),
            arrays["edge_length_m"].astype(np.float64),
            crs,
            arrays["node_id"].astype(np.int64),
            source,
            arrays["edge_steps"].astype(bool),
            arrays["node_barrier"].astype(bool),
        )
        n = graph.n_nodes
        if not (
            len(graph.y) == n == len(graph.node_id)
            and len(graph.edge_v) == graph.n_edges == len(graph.edge_length_m)
        ):
            raise ValueError("array lengths disagree")
    except (
        OSError,
        ValueError,
        KeyError,
        EOFError,
        IndexError,
        TypeError,
        zipfile.BadZipFile,
    ) as exc:
        logger.warning(
            "ignoring unreadable network cache file %s (%s); it will be rewritten", path, exc
        )
        path.unlink(missing_ok=True)
        return None
    logger.info("network cache hit: %s", path.name)
    return graph, found


def write_cached(
    cache_dir: Path, key: str, graph: WalkGraph, issues: Sequence[DataIssue] = ()
) -> Path | None:
    """Store ``graph`` (and its parse's issues) under ``key`` atomically.

    Returns the file, or None if it cannot be written.

    A cache that cannot be written (read-only folder, full disk) only costs the next run a parse,
    so the failure is logged at WARNING level instead of raised.
    """
    path = cache_dir / f"{key}.npz"
    tmp_name: str | None = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=cache_dir)
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f,
                **{name: getattr(graph, name) for name in _ARRAYS},
                crs=np.str_(graph.crs),
                source=np.str_(_source_json(graph.source)),
                issues=np.array(
                    [[i.layer, i.row_id, i.code, i.params_json()] for i in issues], dtype=np.str_
                ).reshape(-1, 4),
            )
        os.replace(tmp_name, path)
    except OSError as exc:
        logger.warning("could not write network cache file %s (%s)", path, exc)
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
        return None
    logger.debug("network cached as %s", path)
    return path
