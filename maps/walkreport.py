"""The report's walking-time section: coverage by walking time beside coverage by distance.

For each category and time level: the distance measure's share (every resident, the profile's
distance: the filed figure), the time measure's share (the people of the group the category
serves, at that group's pace, slope and steps included) and the same pace on flat ground, so
that what slope and steps take away shows; then the communities where they take away most.
"""

from __future__ import annotations

import math

import pandas as pd

from lifecircle.analysis.results import RunResults, WalkingMethods
from lifecircle.maps.htmlparts import pct as _pct
from lifecircle.maps.labels import escape_html as _e, label, level_label, minutes_label

#: A county-wide drop (flat − sloped) from this many points on is marked in the table.
MARK_DROP = 0.05
#: At most this many communities are listed.
MAX_CALLOUTS = 30


def _points(value: float) -> str:
    return "–" if math.isnan(value) else f"{value * 100:+.1f}"


def _group(m: WalkingMethods | None, group: str, lang: str) -> str:
    names = {} if m is None else m.group_names
    pair = names.get(group)
    return group if pair is None else pair[0 if lang == "zh" else 1]


def _intro(m: WalkingMethods, lang: str) -> str:
    paces = "；" if lang == "zh" else "; "
    speeds = paces.join(
        f"{_group(m, g, lang)} {v:g} {label('m_per_s', lang)}" for g, v in m.speed_mps.items()
    )
    if m.dem is not None and m.slope == "tobler":
        slope = label("walking_slope_tobler", lang).format(dem=m.dem)
    else:
        slope = label("walking_slope_flat", lang)
    facts = label("walking_facts", lang).format(
        speeds=speeds,
        slope=slope,
        steps=f"{m.steps_factor:g}",
        n_steps=f"{m.steps_edges:,}",
        n_flat=f"{m.flat_edges:,}",
    )
    return f'<p>{_e(facts)}</p><p class="note">{_e(label("walking_note", lang))}</p>'


def _map_note(results: RunResults, m: WalkingMethods, lang: str) -> str:
    """One sentence on the map's walking-time isochrones and their paces ('' without them)."""
    frame = results.isochrones_time
    if frame is None or len(frame) == 0:
        return ""
    minutes = sorted({float(t) for t in frame["minutes"]})
    groups = list(dict.fromkeys(str(g) for g in frame["group"]))
    sep = "；" if lang == "zh" else "; "
    paces = sep.join(
        f"{_group(m, g, lang)} {m.speed_mps[g]:g} {label('m_per_s', lang)}"
        for g in groups
        if g in m.speed_mps
    )
    sep = "、" if lang == "zh" else ", "
    text = label("walking_map_isochrones", lang).format(
        minutes=sep.join(minutes_label(t, lang) for t in minutes), paces=paces
    )
    return f"<p>{_e(text)}</p>"


def _table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def walking_html(results: RunResults) -> str:
    """The walking-time section (every value escaped); a short note without walking times.

    Parameters
    ----------
    results
        The run; its ``time_coverage``, ``time_callouts`` and ``methods.walking`` are shown.

    Returns
    -------
    str
        HTML: how time was measured, the coverage table by category and level (drops of 5
        points or more marked), and the communities where slope and steps cut coverage by 10
        points or more (at most 30).
    """
    lang = results.lang
    table = results.time_coverage
    m = results.methods.walking
    if m is None or len(table) == 0:
        return f"<p>{_e(label('walking_none', lang))}</p>"
    rows = []
    for _, r in table.iterrows():
        flat, timed = float(r["flat_time_share"]), float(r["time_share"])
        effect = timed - flat
        css = ' class="fail"' if effect <= -MARK_DROP else ""
        rows.append(
            "<tr>"
            f"<td>{_e(r['category_name'])}</td><td>{_e(_group(m, str(r['group']), lang))}</td>"
            f"<td>{_e(level_label(str(r['level']), lang))}</td>"
            f'<td class="num">{_pct(r["distance_share"])}</td>'
            f'<td class="num">{_pct(timed)}</td><td class="num">{_pct(flat)}</td>'
            f'<td class="num"><span{css}>{_points(effect)}</span></td>'
            "</tr>"
        )
    cols = ["category_name", "walking_group", "level", "distance_share", "time_share"]
    headers = [label(c, lang) for c in (*cols, "flat_time_share", "hill_effect")]
    out = _intro(m, lang) + _map_note(results, m, lang) + _table(headers, rows)
    out += f"<h3>{_e(label('hill_callouts', lang))}</h3>"
    callouts = results.time_callouts
    if len(callouts) == 0:
        return out + f"<p>{_e(label('hill_callouts_none', lang))}</p>"
    rows = [
        "<tr>"
        f"<td>{_e(r['community_name'])}（{_e(r['community_id'])}）</td>"
        f"<td>{_e(r['category_name'])}</td><td>{_e(_group(m, str(r['group']), lang))}</td>"
        f"<td>{_e(level_label(str(r['level']), lang))}</td>"
        f'<td class="num">{_pct(r["flat_time_share"])}</td>'
        f'<td class="num">{_pct(r["time_share"])}</td>'
        f'<td class="num"><span class="fail">{_points(-float(r["drop"]))}</span></td>'
        "</tr>"
        for _, r in pd.DataFrame(callouts).head(MAX_CALLOUTS).iterrows()
    ]
    keys = ("community_col", "category_name", "walking_group", "level", "flat_time_share")
    headers = [label(k, lang) for k in (*keys, "time_share", "hill_effect")]
    more = len(callouts) - MAX_CALLOUTS
    tail = f'<p class="note">{_e(label("hill_callouts_more", lang).format(n=more))}</p>'
    return out + _table(headers, rows) + (tail if more > 0 else "")


__all__ = ["walking_html"]
