"""Checking the keys of a project file's tables, shared by the parsers of its sections."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any


def unknown_keys(table: Mapping[str, Any], valid: tuple[str, ...], where: str) -> list[str]:
    """One problem per key of ``table`` not in ``valid``, with the nearest valid key as a hint.

    >>> unknown_keys({"nmae": 1}, ("name", "path"), "project")
    ["[project] has an unknown key 'nmae' (did you mean 'name'?); valid keys: name, path"]
    """
    out = []
    for key in table:
        if key not in valid:
            near = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            out.append(
                f"[{where}] has an unknown key '{key}'{hint}; valid keys: {', '.join(valid)}"
            )
    return out
