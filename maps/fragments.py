"""HTML fragments of the map: formatted values, result labels, popup tables and legend rows.

Every user string is escaped here (:func:`lifecircle.maps.labels.escape_html`) before it is put
into a fragment; the fragments are then trusted HTML for tooltips, popups and the legend.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from lifecircle.maps.labels import escape_html as _esc, is_missing as _is_na, result_label


def fmt(value: object, decimals: int = 1) -> str:
    """Format a number with thousands separators; text is escaped; missing values are '–'."""
    if _is_na(value):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "✓" if value else "✗"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        return f"{v:,.0f}" if float(v).is_integer() and decimals <= 1 else f"{v:,.{decimals}f}"
    return _esc(value)


def result_html(result: object, lang: str) -> str:
    """A norm result as reader text, coloured pass / fail; missing results are '–'."""
    text = result_label(result, lang)
    if _is_na(result) or text == "":
        return "–"
    passed = result is True or str(result) in ("passed", "True", "true")
    failed = result is False or str(result) in ("failed", "False", "false")
    css = "lc-pass" if passed else "lc-fail" if failed else ""
    return f'<span class="{css}">{_esc(text)}</span>' if css else _esc(text)


def popup(title: object, rows: Iterable[tuple[str, str]]) -> str:
    """A popup: an escaped title over a table of (label, trusted HTML) rows; empty rows dropped."""
    body = "".join(f"<tr><td>{_esc(k)}</td><td>{v}</td></tr>" for k, v in rows if v != "")
    return f'<div class="lc-pop"><b class="lc-h">{_esc(title)}</b><table>{body}</table></div>'


def swatch(color: str, text: str, *, opacity: float = 1.0) -> str:
    """A legend row with a colour box (areas)."""
    return (
        f'<div class="lc-row"><span class="lc-sw" style="background:{color};opacity:{opacity}">'
        f"</span>{_esc(text)}</div>"
    )


def dot(color: str, text: str, size: int = 10) -> str:
    """A legend row with a coloured dot (points)."""
    return (
        f'<div class="lc-row"><span class="lc-dot" style="background:{color};width:{size}px;'
        f'height:{size}px"></span>{_esc(text)}</div>'
    )
