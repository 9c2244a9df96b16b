"""The small HTML pieces every section of the report is made of: numbers, shares, results, tables.

One helper per kind of value, so a share, an area or a count looks the same in every section.
"""

from __future__ import annotations

import numpy as np

from lifecircle.maps.labels import escape_html, is_missing, result_label


def num(value: object, decimals: int = 1) -> str:
    """A number with thousands separators and ``decimals`` decimals; "–" when missing.

    >>> num(12345.678), num(None), num(3, 0)
    ('12,345.7', '–', '3')
    """
    if is_missing(value):
        return "–"
    if isinstance(value, bool | np.bool_):
        return str(value)
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return escape_html(value)
    return f"{v:,.{decimals}f}"


def pct(value: object) -> str:
    """A share (0–1) as a percentage with one decimal; "–" when missing.

    >>> pct(0.3456), pct(float("nan"))
    ('34.6%', '–')
    """
    return "–" if is_missing(value) else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def points(value: object) -> str:
    """A change of a share (0–1) in percentage points, signed; "–" when missing.

    >>> points(-0.0123), points(0.0)
    ('-1.2', '+0.0')
    """
    return "–" if is_missing(value) else f"{float(value) * 100:+.1f}"  # type: ignore[arg-type]


def result(value: object, lang: str) -> str:
    """A norm result (passed / failed / not_provided, or a bool) coloured by its class."""
    if is_missing(value):
        return '<span class="na">–</span>'
    text = result_label(value, lang)
    s = str(value)
    css = "pass" if s in ("passed", "True") else "fail" if s in ("failed", "False") else "na"
    return f'<span class="{css}">{escape_html(text)}</span>'


def table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """A table: headers are escaped here, cells are HTML already; ``numeric`` ones align right."""
    numeric = numeric or set()
    head = "".join(f"<th>{escape_html(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if j in numeric else f"<td>{c}</td>"
            for j, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
