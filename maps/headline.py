"""The headline's population rows and norm counts, and the notes that define them: the people
supplied, counted and left out, passed of those judged (无标准 where the profile gives no
threshold), completeness."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lifecircle.analysis.results import RunResults
from lifecircle.maps.htmlparts import num as _num, result as _result
from lifecircle.maps.labels import escape_html as _e, is_missing as _na, label
from lifecircle.vocab import LEVELS


def population_rows(results: RunResults) -> list[list[str]]:
    """The people supplied, counted and left out (by reason), as headline rows."""
    lang = results.lang
    counted = [_e(label("population_counted", lang)), _num(results.population_total, 0), ""]
    acc = results.population_account
    if acc is None:
        return [counted]
    rows = [[_e(label("population_supplied", lang)), _num(acc.supplied, 0), ""], counted]
    for reason, people in acc.left_out.items():
        rows.append([_e(label(f"left_out_{reason}", lang)), _num(people, 0), "0"])
    if acc.no_value_communities:
        rows.append(
            [_e(label("no_value_communities", lang)), _num(acc.no_value_communities, 0), "0"]
        )
    if acc.outside_communities > 0:
        rows.append([_e(label("outside_communities", lang)), _num(acc.outside_communities, 0), ""])
    return rows


def _no_standard(results: RunResults, check: str) -> int:
    """How many subjects of ``check`` the profile gives no threshold for (compliance rows
    without a threshold)."""
    comp = results.compliance
    if len(comp) == 0 or "threshold" not in comp:
        return 0
    rows = comp.loc[comp["check"].astype(str) == check]
    return int(pd.to_numeric(rows["threshold"], errors="coerce").isna().sum())


def passing(results: RunResults, check: str, counts: Any) -> list[str]:
    """The headline value and target of a norm check: passed of those judged, with the subjects
    without a standard (or without data) apart; 无标准 when no subject has a threshold."""
    lang = results.lang
    passed, failed = int(counts.get("passed", 0)), int(counts.get("failed", 0))
    judged = passed + failed
    missing = int(counts.get("not_provided", 0))
    no_std = min(_no_standard(results, check), missing)
    if judged == 0:
        key = "no_standard" if no_std == missing else "no_data"
        return [_e(label(key, lang)), "–"]
    value = f"{passed}/{judged}"
    left, right = ("（", "）") if lang == "zh" else (" (", ")")
    if no_std:
        value += f"{left}{_e(label('no_standard_count', lang).format(n=no_std))}{right}"
    if missing - no_std:
        value += f"{left}{_e(label('no_data', lang))} {missing - no_std}{right}"
    return [value, f"{judged}/{judged}"]


def _required_count(results: RunResults, level: str) -> int:
    cov = results.coverage
    if len(cov) == 0 or "required" not in cov:
        return 0
    sel = (cov["level"].astype(str) == level) & cov["required"].astype(bool)
    return int(cov.loc[sel.to_numpy(), "category"].nunique())


def headline_notes(results: RunResults) -> list[str]:
    """The definitions of the headline's figures: the population counted, completeness and
    what 无标准 means."""
    lang = results.lang
    n = {f"n{lev.removesuffix('min')}": _required_count(results, lev) for lev in LEVELS}
    return [
        label("population_note", lang).format(snap=f"{results.methods.max_snap_m:g}"),
        label("completeness_def", lang).format(**n),
        label("no_standard_note", lang),
    ]


def judged(value: object, threshold: object, lang: str) -> str:
    """A norm result, where it was not judged saying why: 无标准 (no threshold) or 无数据."""
    if str(value) in ("not_provided", "<NA>", "None", "nan") or _na(value):
        key = "no_standard" if _na(threshold) else "no_data"
        return f'<span class="na">{_e(label(key, lang))}</span>'
    return _result(value, lang)


def persons_per_household(results: RunResults) -> str:
    """The run's default persons per household, as the parameters record it ("–" unknown)."""
    prov = results.provenance
    value = None if prov is None else prov.parameters.get("persons_per_household")
    return "–" if value is None else f"{float(value):g}"
