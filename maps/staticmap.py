"""A static map figure of a run's results, drawn without a browser (matplotlib, Agg backend).

Communities are filled by their floor-area compliance (pass / fail / no norm or data, the colours
of the web map), over the walk network; community service stations and proposed sites are drawn
on top. The figure has a scale bar, a north arrow and a legend in the run's language, with the
data credit (OpenStreetMap, synthetic demo data) when the run has one. It is drawn in the run's
metric CRS, so the scale bar measures true metres.

The PNG carries no timestamp or software version: equal results give equal bytes.

Examples
--------
>>> png = static_map_png(results)  # doctest: +SKIP
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"  # doctest: +SKIP
True
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd

from lifecircle.analysis.results import RunResults
from lifecircle.maps.cjkfont import CjkFont, find_cjk_font
from lifecircle.maps.labels import data_credit, is_missing, label
from lifecircle.maps.style import FAIL_COLOR, NA_COLOR, PASS_COLOR, SITE_COLOR, STREET_COLOR
from lifecircle.vocab import STATION

__all__ = ["MAP_DPI", "MAP_SIZE_IN", "static_map_png"]

#: The figure's size in inches (width, height) and its resolution: 1200 × 900 pixels.
MAP_SIZE_IN = (8.0, 6.0)
MAP_DPI = 150
STATION_COLOR = "#1d4e89"


def _font_properties(font: CjkFont | None) -> object | None:
    """matplotlib font properties for ``font`` (its collection registered once)."""
    if font is None:
        return None
    from matplotlib import font_manager

    known = {(f.fname, f.name) for f in font_manager.fontManager.ttflist}
    if (str(font.path), font.family) not in known:
        font_manager.fontManager.addfont(str(font.path))
    return font_manager.FontProperties(family=font.family)


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) of about a fifth of ``span_m``.

    >>> _nice_length(4800.0), _nice_length(52_000.0)
    (1000.0, 10000.0)
    """
    target = max(span_m / 5.0, 1.0)
    exp = 10 ** math.floor(math.log10(target))
    return float(max(m * exp for m in (1, 2, 5) if m * exp <= target))


def _community_colors(communities: pd.DataFrame) -> list[str]:
    passed = communities.get("area_per_100hh_pass", pd.Series(np.nan, index=communities.index))
    return [NA_COLOR if is_missing(v) else PASS_COLOR if bool(v) else FAIL_COLOR for v in passed]


def _lines_patch(lines: np.ndarray) -> Any:
    """Every street as one path (a county's 100 k streets draw as one object, not 100 k)."""
    import shapely
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    xy, part = shapely.get_coordinates(shapely.get_parts(lines), return_index=True)
    codes = np.full(len(xy), Path.LINETO, dtype=np.uint8)
    codes[np.r_[True, part[1:] != part[:-1]] if len(part) else []] = Path.MOVETO
    return PathPatch(
        Path(xy, codes),
        fill=False,
        edgecolor=STREET_COLOR,
        linewidth=0.3,
        alpha=0.45,
        zorder=1,
    )


def static_map_png(results: RunResults, font: CjkFont | None = None) -> bytes:
    """The results map as a PNG of :data:`MAP_SIZE_IN` at :data:`MAP_DPI` (1200 × 900 pixels).

    Parameters
    ----------
    results
        The run: its communities, facilities (stations), sites and streets, in WGS84; they are
        drawn in ``results.methods.metric_crs``.
    font
        The font for the legend and labels; by default :func:`find_cjk_font`'s. Without one
        (no CJK font installed) an English legend is drawn in matplotlib's own font.

    Returns
    -------
    bytes
        The PNG file.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrow, Patch, Rectangle

    font = font if font is not None else find_cjk_font()
    lang = results.lang if font is not None else "en"
    prop = _font_properties(font)
    text_kw: dict[str, Any] = {"fontproperties": prop} if prop is not None else {}
    crs = results.methods.metric_crs
    fig = Figure(figsize=MAP_SIZE_IN, dpi=MAP_DPI)
    ax = fig.add_axes((0.01, 0.01, 0.70, 0.98))
    ax.set_axis_off()
    ax.set_aspect("equal")
    com = results.communities
    com_m = com.to_crs(crs) if len(com) else com
    streets = results.streets
    if len(streets):
        # add_artist, not add_patch: the extent comes from the communities below, and working
        # out the limits of 100 k street paths one by one takes seconds
        ax.add_artist(_lines_patch(streets.to_crs(crs).geometry.to_numpy()))
    if len(com_m):
        com_m.plot(
            ax=ax,
            color=_community_colors(com),
            alpha=0.55,
            edgecolor="white",
            linewidth=0.8,
            zorder=2,
        )
        com_m.boundary.plot(ax=ax, color="#52606d", linewidth=0.5, zorder=3)
    fac = results.facilities
    stations = fac.loc[fac["category"].astype(str).eq(STATION).to_numpy()] if len(fac) else fac
    handles: list[object] = [
        Patch(facecolor=PASS_COLOR, alpha=0.55, edgecolor="#52606d", label=label("pass", lang)),
        Patch(facecolor=FAIL_COLOR, alpha=0.55, edgecolor="#52606d", label=label("fail", lang)),
        Patch(
            facecolor=NA_COLOR, alpha=0.55, edgecolor="#52606d", label=label("not_provided", lang)
        ),
    ]
    if len(stations):
        pts = stations.to_crs(crs)
        ax.scatter(
            pts.geometry.x,
            pts.geometry.y,
            s=28,
            marker="s",
            color=STATION_COLOR,
            edgecolor="white",
            linewidth=0.7,
            zorder=5,
        )
        handles.append(
            Line2D(
                [], [], marker="s", ls="", color=STATION_COLOR, mec="white",
                label=label("stations", lang),
            )
        )  # fmt: skip
    sites = results.sites
    if len(sites):
        pts = sites.to_crs(crs).geometry.representative_point()
        ax.scatter(pts.x, pts.y, s=150, marker="o", color=SITE_COLOR, edgecolor="white", zorder=6)
        for x, y, rank in zip(pts.x, pts.y, sites["rank"], strict=True):
            ax.text(
                x, y, f"{int(rank)}", color="white", ha="center", va="center", fontsize=7,
                fontweight="bold", zorder=7,
            )  # fmt: skip
        handles.append(
            Line2D([], [], marker="o", ls="", color=SITE_COLOR, ms=9, label=label("sites", lang))
        )
    if len(com_m):
        x0, y0, x1, y1 = com_m.total_bounds
    elif len(streets):
        x0, y0, x1, y1 = streets.to_crs(crs).total_bounds
    else:
        x0, y0, x1, y1 = 0.0, 0.0, 1000.0, 1000.0
    pad = 0.06 * max(x1 - x0, y1 - y0, 1.0)
    # room at the bottom for the scale bar
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - 2.2 * pad, y1 + pad)
    xl, xr = ax.get_xlim()
    yb, yt = ax.get_ylim()
    # scale bar: bottom left, in the run's metric CRS
    length = _nice_length(xr - xl)
    bx, by = xl + 0.04 * (xr - xl), yb + 0.04 * (yt - yb)
    h = 0.012 * (yt - yb)
    ax.add_patch(Rectangle((bx, by), length / 2, h, facecolor="black", zorder=8))
    ax.add_patch(
        Rectangle((bx + length / 2, by), length / 2, h, facecolor="white", edgecolor="black",
                  linewidth=0.8, zorder=8)
    )  # fmt: skip
    unit = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for pos, text in ((0.0, "0"), (length, unit)):
        ax.text(bx + pos, by + 1.8 * h, text, ha="center", va="bottom", fontsize=8, zorder=8)
    # north arrow: top right
    nx, ny = xr - 0.05 * (xr - xl), yt - 0.17 * (yt - yb)
    arrow_len = 0.09 * (yt - yb)
    ax.add_patch(
        FancyArrow(nx, ny, 0, arrow_len, width=0.012 * (xr - xl), head_width=0.035 * (xr - xl),
                   head_length=0.04 * (yt - yb), length_includes_head=True, color="black",
                   zorder=8)
    )  # fmt: skip
    ax.text(
        nx, ny + arrow_len + 0.01 * (yt - yb), label("north", lang), ha="center", va="bottom",
        fontsize=10, fontweight="bold", zorder=8, **text_kw,
    )  # fmt: skip
    legend = fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(0.995, 0.985),
        title=label("legend", lang),
        prop=prop,
        fontsize=8,
        title_fontproperties=prop,
        framealpha=0.92,
    )
    legend.set_zorder(9)
    credit = data_credit(osm=results.methods.osm_credit, synthetic=results.methods.synthetic,
                         lang=lang)  # fmt: skip
    if credit:
        fig.text(
            0.99, 0.02, credit, ha="right", va="bottom", fontsize=7, color="#333333",
            wrap=True, **text_kw,
        )  # fmt: skip
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=MAP_DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()
