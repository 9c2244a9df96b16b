"""HTML fragments of the map: formatted values, result labels, popup tables and legend rows.

Every user string is escaped here (:func:`lifecircle.maps.labels.escape_html`) before it is put
into a fragment; the fragments are then trusted HTML for tooltips, popups and the legend.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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
    """A popup: an escaped title over a table of (label, trusted HTML) rows; empty rows dropped.

    The page's script builds the popups of packed layers the same way (``LC.popup``).
    """
    body = "".join(f"<tr><td>{_esc(k)}</td><td>{v}</td></tr>" for k, v in rows if v != "")
    return f'<div class="lc-pop"><b class="lc-h">{_esc(title)}</b><table>{body}</table></div>'


@dataclass
class PopupTable:
    """The popups of one layer: the row labels once, then each feature's title and values.

    ``html(i)`` is feature ``i``'s :func:`popup`; the page builds the same HTML from the table,
    so a layer's popups cost their values only.
    """

    labels: list[str] = field(default_factory=list)  # escaped
    rows: list[list[str]] = field(default_factory=list)  # escaped title, then trusted HTML values

    def add(self, title: object, rows: Iterable[tuple[str, str]]) -> None:
        """Add one feature's popup (same labels, in the same order, for every feature)."""
        pairs = list(rows)
        labels = [_esc(k) for k, _ in pairs]
        if not self.rows:
            self.labels = labels
        elif labels != self.labels:
            raise ValueError("every popup of a layer must have the same rows")
        self.rows.append([_esc(title), *(v for _, v in pairs)])

    def html(self, i: int) -> str:
        """Feature ``i``'s popup HTML."""
        title, *values = self.rows[i]
        body = "".join(
            f"<tr><td>{k}</td><td>{v}</td></tr>"
            for k, v in zip(self.labels, values, strict=True)
            if v != ""
        )
        return f'<div class="lc-pop"><b class="lc-h">{title}</b><table>{body}</table></div>'


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
