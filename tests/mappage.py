"""Reading a written map.html back: its packed layers, legend and layer names (for the tests)."""

from __future__ import annotations

import json
import re
from typing import Any

_LAZY = re.compile(r'LC\.lazy\((\w+), "(\w+)", ')


def packed_layers(page: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Layer-control name → (kind, data) of every packed layer in the page."""
    out = {}
    decoder = json.JSONDecoder()
    for m in _LAZY.finditer(page):
        data, end = decoder.raw_decode(page, m.end())
        name, _ = decoder.raw_decode(page, end + 2)  # after ", "
        out[str(name)] = (m.group(2), data)
    return out


def legend_html(page: str) -> str:
    """The legend's HTML (the content of the legend control)."""
    m = re.search(r'var div = L\.DomUtil\.create\("div", "lc-legend"\);\s*div\.innerHTML = ', page)
    assert m is not None, "the page has no legend"
    html, _ = json.JSONDecoder().raw_decode(page, m.end())
    return str(html)


def overlay_names(page: str) -> list[str]:
    """The names listed as overlays in the layer control, in order."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\},\s*\};", page, re.S)
    assert block is not None, "the page has no layer control"
    return [json.loads(f'"{k}"') for k in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', block.group(1))]


def shown_layers(page: str) -> list[str]:
    """The names of the packed layers on the map at opening (the others are off until ticked)."""
    decoder = json.JSONDecoder()
    shown = []
    for m in _LAZY.finditer(page):
        _, end = decoder.raw_decode(page, m.end())
        name, after = decoder.raw_decode(page, end + 2)
        if page[after : after + 64].lstrip(");\n").startswith(f"{m.group(1)}.addTo("):
            shown.append(str(name))
    return shown
