"""The provenance of a run: tool version, profile and its hash, every input file's SHA-256 and the
parameters used, computed once when the results are assembled.

It is written to ``summary.json`` (``provenance``) and shown in the report's methods section, so
that a reviewer can tell that a filed figure comes from these files: ``sha256sum 社区.shp``
gives the hash the report states.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from lifecircle import __version__
from lifecircle.analysis.profiles import Profile
from lifecircle.analysis.results import InputFile, Provenance
from lifecircle.project import Project, SitingSpec

_CHUNK = 1 << 20
#: Project settings that do not shape the results (where outputs go, how they are drawn, caching).
_NOT_PARAMETERS = ("path", "output", "map", "scenarios")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, hex (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def profile_sha256(profile: Profile) -> str:
    """SHA-256 of a resolved profile as canonical JSON (sorted keys, every figure and category).

    Examples
    --------
    >>> from lifecircle.analysis.profiles import load_profile
    >>> len(profile_sha256(load_profile("cn-national")))
    64
    """
    text = json.dumps(_plain(profile, None), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def provenance(project: Project, profile: Profile, siting: SitingSpec | None) -> Provenance:
    """The provenance of a run of ``project`` with ``profile`` and the siting options used.

    Parameters
    ----------
    project
        The validated project.
    profile
        The resolved norm profile the run used.
    siting
        The siting options the run used (the project's, or the command line's), or None.

    Returns
    -------
    Provenance
        Paths are relative to the project file's folder (forward slashes).
    """
    base = project.path.parent
    seen: dict[Path, tuple[str, int]] = {}
    files: list[InputFile] = []
    for role, path in _input_files(project):
        if not path.is_file():
            continue
        if path not in seen:
            seen[path] = (file_sha256(path), path.stat().st_size)
        sha, size = seen[path]
        files.append(InputFile(role, _shown(path, base), sha, size))
    parameters = {
        f.name: _plain(getattr(project, f.name), base)
        for f in dataclasses.fields(project)
        if f.name not in _NOT_PARAMETERS
    }
    parameters["siting"] = _plain(siting, base)
    if project.profile.endswith(".toml"):
        parameters["profile"] = _shown(Path(project.profile), base)
    network = parameters.get("network")
    if isinstance(network, dict):
        network.pop("cache", None)
    return Provenance(
        tool_version=__version__,
        profile_id=profile.id,
        profile_sha256=profile_sha256(profile),
        inputs=tuple(files),
        parameters=parameters,
    )


def provenance_dict(prov: Provenance) -> dict[str, Any]:
    """The provenance as ``summary.json`` writes it."""
    return {
        "tool_version": prov.tool_version,
        "profile": {"id": prov.profile_id, "sha256": prov.profile_sha256},
        "inputs": [dataclasses.asdict(f) for f in prov.inputs],
        "parameters": dict(prov.parameters),
    }


def _input_files(project: Project) -> Iterator[tuple[str, Path]]:
    """(role, path) of every file a run of ``project`` reads, a shapefile's sidecars included."""
    yield "project", project.path
    profile = Path(project.profile)
    if profile.suffix.lower() == ".toml":
        yield "profile", profile
    else:
        yield "profile (built-in)", _builtin_profile(project.profile)
    if project.network.path is not None:
        yield from _with_sidecars("network", project.network.path)
    for name, spec in project.layers.items():
        yield from _with_sidecars(name, spec.path)
    if project.walking.dem is not None:
        yield "dem", project.walking.dem
    for scenario in project.scenarios:
        if scenario.add is not None:
            yield from _with_sidecars(f"scenario '{scenario.name}' add", scenario.add.path)


def _with_sidecars(role: str, path: Path) -> Iterator[tuple[str, Path]]:
    yield role, path
    if path.suffix.lower() == ".shp":
        for side in sorted(path.parent.glob(path.stem + ".*")):
            if side != path:
                yield f"{role} ({side.suffix.lower()})", side


def _builtin_profile(profile_id: str) -> Path:
    return Path(str(resources.files("lifecircle.data") / "norms" / f"{profile_id}.toml"))


def _shown(path: Path, base: Path) -> str:
    """``path`` relative to ``base``; a built-in profile as ``lifecircle/data/norms/…``."""
    builtin = _builtin_profile(path.stem).parent
    if path.parent == builtin:
        return f"lifecircle/data/norms/{path.name}"
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _plain(value: object, base: Path | None) -> Any:
    """A value as JSON-ready data: dataclasses and mappings as dicts, paths as shown paths."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), base) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v, base) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v, base) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return _shown(value, base) if base is not None else value.name
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
