"""What makes ``report.html`` file as a printed report: a cover, numbered tables and figures, the
static results map, and print rules for A4 pages.

* :func:`cover_html`: the cover block (project, 编制单位, profile, date, data credit).
* :func:`map_figure_html`: the static results map (:mod:`lifecircle.maps.staticmap`) as an
  inline PNG figure.
* :func:`number_items`: gives every table a caption ``表 N …`` and every chart or map a caption
  ``图 N …``, numbered through the report in order; ``report.pdf`` reads the same captions.
* :data:`PRINT_CSS`: page numbers in the page margin ("第 N 页 / 共 M 页"), page breaks before
  the long sections, a landscape page for the community table, and column rules that keep ids
  and names on one line.
"""

from __future__ import annotations

import base64
import re

from lifecircle.analysis.results import RunResults
from lifecircle.maps.filing import run_date
from lifecircle.maps.labels import data_credit, escape_html as _e, label
from lifecircle.maps.staticmap import MAP_DPI, MAP_SIZE_IN, static_map_png

__all__ = [
    "BREAK_BEFORE",
    "LANDSCAPE",
    "cover_html",
    "map_figure_html",
    "number_items",
    "print_css",
]

#: Sections that start on a new printed page.
BREAK_BEFORE = ("headline", "map", "communities", "stations", "issues", "methods")
#: Sections printed on landscape pages (wide tables).
LANDSCAPE = ("communities",)


def print_css(lang: str) -> str:
    """The print rules of the report: page numbers in ``lang``, breaks, landscape, cover.

    The page number uses CSS ``@page`` margin boxes (``counter(page)`` of ``counter(pages)``),
    which Chromium prints.
    """
    n, m = '" counter(page) "', '" counter(pages) "'
    page_text = '"' + label("page_of", lang).format(n=n, m=m) + '"'
    breaks = ", ".join(f"section#{s}" for s in BREAK_BEFORE)
    wide = ", ".join(f"section#{s}" for s in LANDSCAPE)
    return f"""
@page {{ @bottom-center {{ content: {page_text}; font-size: 9px; color: #52606d; }} }}
@page wide {{ size: A4 landscape; margin: 14mm 12mm; }}
header.cover {{ border-bottom: 3px solid #1d4e89; padding: 8px 0 14px; margin-bottom: 18px; }}
header.cover dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px;
  margin: 12px 0 0; }}
header.cover dt {{ color: #52606d; white-space: nowrap; }}
header.cover dd {{ margin: 0; font-weight: 600; }}
caption {{ caption-side: top; text-align: left; font-weight: 600; color: #1d2b3a;
  padding: 2px 0 4px; font-size: 12.5px; }}
figure {{ margin: 8px 0 16px; break-inside: avoid; }}
figure img {{ width: 100%; height: auto; border: 1px solid #d5dbe1; }}
figcaption {{ font-weight: 600; color: #1d2b3a; font-size: 12.5px; margin-top: 4px; }}
section#stations td:nth-child(-n+3), section#stations th:nth-child(-n+3),
section#communities td:nth-child(-n+2), section#sites td:nth-child(-n+3),
section#coverage td:nth-child(-n+2), .pass, .fail, .na {{ white-space: nowrap; }}
@media print {{
  header.cover {{ min-height: 60vh; display: flex; flex-direction: column;
    justify-content: center; border-bottom: none; }}
  header.cover h1 {{ font-size: 28px; }}
  header.cover .credit {{ margin-top: 18px; }}
  {breaks} {{ break-before: page; }}
  {wide} {{ page: wide; }}
  table {{ font-size: 10.5px; }}
  th, td {{ padding: 3px 5px; }}
  thead {{ display: table-header-group; }}
}}
"""


def cover_html(results: RunResults, title: str) -> str:
    """The cover block: the report's title, project, 编制单位 (when given), profile (its name;
    the id is in the methods section), the run date (:func:`lifecircle.maps.filing.run_date`)
    and the data credit."""
    lang = results.lang
    m = results.methods
    facts = [(label("cover_project", lang), results.project_name)]
    if results.organization:
        facts.append((label("organization", lang), results.organization))
    facts.append((label("profile", lang), m.profile_name))
    facts.append((label("generated", lang), run_date().isoformat()))
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    credit = data_credit(osm=m.osm_credit, synthetic=m.synthetic, lang=lang)
    return (
        f'<header class="cover">'
        f"<h1>{_e(title)}</h1><dl>{rows}</dl>"
        + (f'<div class="credit">{_e(credit)}</div>' if credit else "")
        + "</header>"
    )


def map_figure_html(results: RunResults) -> str:
    """The static results map as a ``<figure>`` with an inline PNG and its caption."""
    png = static_map_png(results)
    data = base64.b64encode(png).decode("ascii")
    width, height = (round(v * MAP_DPI) for v in MAP_SIZE_IN)
    alt = _e(label("map_caption", results.lang))
    return (
        f'<figure class="map"><img src="data:image/png;base64,{data}" width="{width}" '
        f'height="{height}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'
    )


_ITEM = re.compile(
    r"<h3[^>]*>(?P<h3>.*?)</h3>|(?P<table><table>)|<figcaption>(?P<figcap>)"
    r'|<div class="chart">(?P<svg><svg[^>]*?aria-label="(?P<label>[^"]*)".*?</svg>)</div>',
    re.S,
)


def number_items(sections: list[tuple[str, str, str]], lang: str) -> list[tuple[str, str, str]]:
    """Number the tables and figures of the report's sections, in order.

    Parameters
    ----------
    sections
        ``(id, title, content HTML)`` of each section, titles as plain text.
    lang
        The report's language (表 / Table, 图 / Figure).

    Returns
    -------
    list
        The sections with a ``<caption>`` in every table (``表 N 〈section or sub-heading〉``)
        and a caption under every chart and figure (``图 N 〈chart title〉``).
    """
    counts = {"table": 0, "figure": 0}
    out = []
    for sid, title, content in sections:
        heading = _e(title)  # HTML

        def repl(match: re.Match[str], title: str = title) -> str:
            nonlocal heading
            if match.group("h3") is not None:
                heading = f"{_e(title)} · {re.sub(r'<[^>]+>', '', match.group('h3'))}"
                return match.group(0)
            if match.group("table") is not None:
                counts["table"] += 1
                no = label("table_no", lang).format(n=counts["table"])
                return f"<table><caption>{no} {heading}</caption>"
            counts["figure"] += 1
            no = label("figure_no", lang).format(n=counts["figure"])
            if match.group("figcap") is not None:
                return f"<figcaption>{no} "
            return (
                f'<figure class="chart">{match.group("svg")}'
                f"<figcaption>{no} {match.group('label')}</figcaption></figure>"
            )

        content = _ITEM.sub(repl, content)
        out.append((sid, title, content))
    return out
