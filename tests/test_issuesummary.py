"""Tests of maps/issuesummary.py and the report's data-problem section: grouped by kind."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lifecircle.maps.issuesummary import issue_kinds, mask


def test_numbers_ids_and_quoted_names_are_masked() -> None:
    assert mask("nearest street is 494 m away, more than max_snap_m = 300 m") == mask(
        "nearest street is 1,378.5 m away, more than max_snap_m = 300 m"
    )
    assert mask("column 'households' has 3 negative values (rows 4, 9, 12)") == (
        "column '…' has # negative values (rows #)"
    )
    assert mask("duplicate id “C01”") == mask("duplicate id “河西社区”")
    assert mask("no facility of category nursery") != mask("no facility of category kindergarten")


def test_kinds_counts_population_and_examples_by_hand() -> None:
    issues = pd.DataFrame(
        {
            "layer": ["population"] * 4 + ["facilities", "communities", "communities"],
            "row_id": ["p1", "p2", "p3", "p4", "F9", "C1", ""],
            "problem": [
                "nearest street is 494 m away, more than max_snap_m = 300 m",
                "nearest street is 378 m away, more than max_snap_m = 300 m",
                "nearest street is 350 m away, more than max_snap_m = 300 m",
                "nearest street is 1,201 m away, more than max_snap_m = 300 m",
                "floor area is missing",
                "households is 0",
                "no count of the group children for 2 communities (C26, C37)",
            ],
            "action": ["not snapped"] * 4 + ["counted as 0", "left out", "assumed 7.8%"],
        }
    )
    demand = pd.DataFrame(
        {"id": ["p1", "p2", "p3", "p4", "p5"], "population": [10, 20, 30.5, 0, 99]}
    )
    communities = pd.DataFrame({"id": ["C1", "C2"], "population": [2500, 3000]})
    kinds = issue_kinds(issues, demand=demand, communities=communities)
    assert [k.count for k in kinds] == [4, 1, 1, 1]
    snap = kinds[0]
    # 10 + 20 + 30.5 + 0 persons at p1…p4 (p5 has no problem)
    assert snap.layer == "population" and snap.population == pytest.approx(60.5)
    assert snap.examples == ("p1", "p2", "p3")
    assert snap.problem == issues["problem"][0]  # the first row's text stands for the kind
    assert kinds[1].layer == "facilities" and kinds[1].population is None
    assert kinds[2].population == 2500
    assert kinds[3].population is None and kinds[3].examples == ()  # no row ids


def test_the_demo_report_lists_kinds_not_rows(demo_out: Path) -> None:
    html = (demo_out / "report.html").read_text(encoding="utf-8")
    issues = pd.read_csv(demo_out / "issues.csv", encoding="utf-8-sig", dtype=str).fillna("")
    issues.columns = ["layer", "row_id", "problem", "action"]  # the demo's headers are Chinese
    assert len(issues) > 250  # the points beyond the snapping distance, one row each
    section = html[html.index('<section id="issues">') :]
    section = section[: section.index("</section>")]
    # the demo's three kinds of problem: populated cells beyond the snapping distance, the
    # groups without counts (children and elderly: one message, assumed shares), and one
    # candidate below the day-care centre's minimum floor area
    assert len(re.findall(r"<tr>", section)) - 1 == 3  # the header, a row per kind
    layers = re.findall(r"<tr><td>([^<]*)</td>", section)
    assert layers == ["人口", "社区", "候选点"]
    assert f"{len(issues):,}" in section and "issues.csv" in section
    # the full list stays in the workbook
    sheet = pd.read_excel(demo_out / "report.xlsx", sheet_name="issues")
    assert len(sheet) == len(issues)


def test_kinds_are_message_codes_when_the_table_has_them() -> None:
    """Texts that differ in words, not only numbers (two groups' names), are one kind when they
    share a message code, and rows of one text with two codes are two kinds."""
    issues = pd.DataFrame(
        {
            "layer": ["communities"] * 3,
            "row_id": ["", "", "C1"],
            "problem": ["no count of the group children", "no count of the group elderly", "x"],
            "action": ["assumed 7.8%", "assumed 18.7%", "x"],
            "code": ["group_count_missing", "group_count_missing", "name_empty"],
        }
    )
    communities = pd.DataFrame({"id": ["C1"], "population": [120]})
    kinds = issue_kinds(issues, demand=pd.DataFrame(), communities=communities)
    assert [(k.count, k.problem) for k in kinds] == [
        (2, "no count of the group children"),
        (1, "x"),
    ]
    assert kinds[1].population == 120
    without_codes = issue_kinds(
        issues.drop(columns="code"), demand=pd.DataFrame(), communities=communities
    )
    assert [k.count for k in without_codes] == [1, 1, 1]
