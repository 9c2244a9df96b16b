"""Small inline SVG charts for the report: grouped bars, horizontal bars and a histogram.

Text is SVG ``<text>`` so the browser draws Chinese with the system's fonts, and every label is
escaped. Each function returns one ``<svg>`` element as a string with a ``viewBox``, so it scales
to the page width and prints sharply.

Examples
--------
>>> svg = histogram_svg([12.0, 29.2, 31.0, 45.0], threshold=30.0, title="m²/百户")
>>> svg.startswith("<svg")
True
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np

PASS_COLOR = "#1a9850"
FAIL_COLOR = "#e8552d"
NA_COLOR = "#9e9e9e"
SERIES_COLORS = ("#08519c", "#3182bd", "#9ecae1", "#636363")
TARGET_COLOR = "#c2410c"
FONT = 'font-family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"'


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _nice_max(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= value:
            return float(step * exp)
    return float(10 * exp)


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{_e(title)}" {FONT} font-size="12">',
        f'<text x="{width / 2:.0f}" y="18" text-anchor="middle" font-size="14" '
        f'font-weight="600" fill="#1d2b3a">{_e(title)}</text>',
    ]


def _text_width_px(text: str, font_px: float = 12.0) -> float:
    """Approximate rendered width of a label: CJK characters a full em, others about half."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return font_px * (wide + 0.55 * (len(text) - wide))


def grouped_bar_svg(
    *,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str,
    targets: Sequence[float | None] | None = None,
    target_label: str = "",
    percent: bool = True,
    width: int = 720,
    height: int = 300,
) -> str:
    """Vertical bars: one group per label, one bar per series, optional target tick per group.

    Parameters
    ----------
    labels
        Group names (e.g. facility categories).
    series
        Series name (e.g. ``"5分钟"``) → one value per label; NaN draws no bar.
    title
        Chart title.
    targets
        One target per group (drawn as a short line), or None.
    target_label
        Legend text for the target line.
    percent
        Values are shares 0–1, drawn as 0–100 %.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    names = list(series)
    values = np.array([list(series[n]) for n in names], dtype=float).reshape(len(names), -1)
    top = 1.0 if percent else _nice_max(float(np.nanmax(values, initial=0.0)) * 1.05)
    left, right, top_pad, bottom = 52, 16, 48, 64
    n = max(len(labels), 1)
    group_w = (width - left - right) / n
    label_w = max((_text_width_px(str(lab)) for lab in labels), default=0.0)
    slanted = label_w > group_w - 4
    if slanted:  # long labels (Chinese category names) are drawn at 40° below their group
        extra = int(label_w * 0.64) - 16
        bottom += extra
        height += extra
    plot_h = height - top_pad - bottom
    bar_w = min(26.0, group_w * 0.8 / max(len(names), 1))
    out = _open(width, height, title)
    for k in range(5):
        v = top * k / 4
        y = top_pad + plot_h * (1 - k / 4)
        text = f"{v * 100:.0f}%" if percent else f"{v:g}"
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{text}</text>'
        )
    for g, lab in enumerate(labels):
        x0 = left + g * group_w + (group_w - bar_w * len(names)) / 2
        for s in range(len(names)):
            v = values[s, g]
            if not np.isfinite(v):
                continue
            h = plot_h * min(max(v / top, 0.0), 1.0)
            x = x0 + s * bar_w
            shown = f"{v * 100:.0f}%" if percent else f"{v:,.1f}"
            out.append(
                f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{SERIES_COLORS[s % len(SERIES_COLORS)]}">'
                f"<title>{_e(lab)} {_e(names[s])}: {shown}</title></rect>"
            )
        target = targets[g] if targets is not None else None
        if target is not None and np.isfinite(target):
            y = top_pad + plot_h * (1 - min(max(target / top, 0.0), 1.0))
            out.append(
                f'<line x1="{x0 - 3:.1f}" x2="{x0 + bar_w * len(names) + 1:.1f}" y1="{y:.1f}" '
                f'y2="{y:.1f}" stroke="{TARGET_COLOR}" stroke-width="2" stroke-dasharray="4 2"/>'
            )
        cx = left + g * group_w + group_w / 2
        ty = top_pad + plot_h + 16
        if slanted:
            out.append(
                f'<text x="{cx + 4:.1f}" y="{ty - 4}" text-anchor="end" fill="#222" '
                f'transform="rotate(-40 {cx + 4:.1f} {ty - 4})">{_e(lab)}</text>'
            )
        else:
            out.append(
                f'<text x="{cx:.1f}" y="{ty}" text-anchor="middle" fill="#222">{_e(lab)}</text>'
            )
    lx = left
    ly = height - 16
    for s, name in enumerate(names):
        out.append(
            f'<rect x="{lx}" y="{ly - 10}" width="12" height="10" '
            f'fill="{SERIES_COLORS[s % len(SERIES_COLORS)]}"/>'
            f'<text x="{lx + 16}" y="{ly}" fill="#333">{_e(name)}</text>'
        )
        lx += 24 + 8 * len(str(name)) + 20
    if targets is not None and target_label:
        out.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{ly - 5}" y2="{ly - 5}" stroke="{TARGET_COLOR}" '
            f'stroke-width="2" stroke-dasharray="4 2"/>'
            f'<text x="{lx + 22}" y="{ly}" fill="#333">{_e(target_label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def horizontal_bar_svg(
    *,
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    threshold: float | None = None,
    threshold_label: str = "",
    unit: str = "",
    width: int = 720,
    row_h: int = 20,
) -> str:
    """One horizontal bar per label (green at or above ``threshold``, red-orange below).

    Returns
    -------
    str
        An ``<svg>`` element; NaN values are drawn as an empty row marked "–".
    """
    vals = np.asarray(values, dtype=float)
    top = _nice_max(max(float(np.nanmax(vals, initial=0.0)), threshold or 0.0) * 1.08)
    left = 12 + min(200, 13 * max((len(str(s)) for s in labels), default=4))
    right, top_pad = 60, 34
    height = top_pad + row_h * max(len(labels), 1) + 40
    plot_w = width - left - right
    out = _open(width, height, title)
    for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
        y = top_pad + i * row_h
        out.append(
            f'<text x="{left - 6}" y="{y + row_h * 0.7:.1f}" text-anchor="end" '
            f'fill="#222">{_e(lab)}</text>'
        )
        if not np.isfinite(v):
            out.append(f'<text x="{left + 4}" y="{y + row_h * 0.7:.1f}" fill="#777">–</text>')
            continue
        w = plot_w * min(max(v / top, 0.0), 1.0)
        color = NA_COLOR if threshold is None else PASS_COLOR if v >= threshold else FAIL_COLOR
        out.append(
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}">'
            f"<title>{_e(lab)}: {v:,.1f} {_e(unit)}</title></rect>"
            f'<text x="{left + w + 4:.1f}" y="{y + row_h * 0.7:.1f}" fill="#333">{v:,.1f}</text>'
        )
    axis_y = top_pad + row_h * len(labels)
    for k in range(5):
        x = left + plot_w * k / 4
        out.append(
            f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" fill="#555">'
            f"{top * k / 4:g}</text>"
        )
    if threshold is not None:
        x = left + plot_w * min(threshold / top, 1.0)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad - 4}" y2="{axis_y}" '
            f'stroke="{TARGET_COLOR}" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x:.1f}" y="{axis_y + 32}" text-anchor="middle" fill="{TARGET_COLOR}">'
            f"{_e(threshold_label)} {threshold:g} {_e(unit)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def histogram_svg(
    values: Sequence[float],
    *,
    threshold: float | None,
    title: str,
    threshold_label: str = "",
    x_label: str = "",
    y_label: str = "",
    bins: int = 10,
    width: int = 720,
    height: int = 260,
) -> str:
    """A histogram of ``values`` with a vertical threshold line; bins below it are red-orange.

    Returns
    -------
    str
        An ``<svg>`` element (an empty frame with the title when there are no finite values).
    """
    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    hi = _nice_max(max(float(vals.max(initial=0.0)), (threshold or 0.0) * 1.2))
    if threshold is not None and 0 < threshold < hi:
        # put the threshold on a bin edge, so a bin is either all passing or all failing
        width_bin = threshold / max(round(bins * threshold / hi), 1)
        bins = math.ceil(hi / width_bin)
        hi = bins * width_bin
    edges = np.linspace(0.0, hi, bins + 1)
    counts, _ = np.histogram(np.clip(vals, 0.0, hi), bins=edges)
    left, right, top_pad, bottom = 52, 16, 36, 52
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    c_top = max(int(counts.max(initial=0)), 1)
    out = _open(width, height, title)
    bw = plot_w / bins
    for i, c in enumerate(counts):
        h = plot_h * c / c_top
        mid = (edges[i] + edges[i + 1]) / 2
        color = NA_COLOR if threshold is None else PASS_COLOR if mid >= threshold else FAIL_COLOR
        out.append(
            f'<rect x="{left + i * bw + 1:.1f}" y="{top_pad + plot_h - h:.1f}" '
            f'width="{bw - 2:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{edges[i]:g}–{edges[i + 1]:g}: {c}</title></rect>"
        )
        if c:
            out.append(
                f'<text x="{left + (i + 0.5) * bw:.1f}" y="{top_pad + plot_h - h - 4:.1f}" '
                f'text-anchor="middle" fill="#333">{c}</text>'
            )
    for k in range(0, bins + 1, max(bins // 5, 1)):
        out.append(
            f'<text x="{left + k * bw:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
            f'fill="#555">{edges[k]:.3g}</text>'
        )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="#999"/>'
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle" '
        f'fill="#333">{_e(x_label)}</text>'
        f'<text x="14" y="{top_pad + plot_h / 2:.0f}" text-anchor="middle" fill="#333" '
        f'transform="rotate(-90 14 {top_pad + plot_h / 2:.0f})">{_e(y_label)}</text>'
    )
    if threshold is not None:
        x = left + plot_w * min(threshold / hi, 1.0)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad - 6}" y2="{top_pad + plot_h}" '
            f'stroke="{TARGET_COLOR}" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x + 4:.1f}" y="{top_pad + 4}" fill="{TARGET_COLOR}">'
            f"{_e(threshold_label)} {threshold:g}</text>"
        )
    out.append("</svg>")
    return "".join(out)
