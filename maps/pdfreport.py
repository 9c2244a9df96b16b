"""``report.pdf``: the report of ``report.html`` as an A4 PDF, made in Python without a browser.

The PDF is drawn from the same HTML the browser shows (:func:`report_blocks` reads the cover,
section headings, paragraphs, numbered tables, charts and the static map out of it), so the two
cannot drift apart. It is laid out by fpdf2 (pure Python, installs with pip on Windows, macOS and
Linux) with a system CJK font embedded as a subset (:mod:`lifecircle.maps.cjkfont`; TrueType and
CFF outlines both work): A4 portrait, a cover page, "第 N 页 / 共 M 页" in the footer, the same
page breaks as the printed HTML and a landscape page for the community table. Table columns are
sized to their content: ids, names, numbers and results stay on one line, long text wraps.

Examples
--------
>>> font = find_cjk_font()  # doctest: +SKIP
>>> write_report_pdf(html, Path("out/report.pdf"), lang="zh", font=font)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from lifecircle.maps.cjkfont import CjkFont
from lifecircle.maps.filing import run_datetime
from lifecircle.maps.labels import label
from lifecircle.maps.reportprint import BREAK_BEFORE, LANDSCAPE

__all__ = ["Block", "report_blocks", "write_report_pdf"]

_FAMILY = "cjk"
_INK = (31, 41, 51)
_ACCENT = (29, 78, 137)
_GREY = (82, 96, 109)
_HEAD_FILL = (238, 242, 246)
_RULE = (190, 198, 206)
_PASS = (26, 127, 60)
_FAIL = (194, 65, 12)
#: The least width (mm) of a column whose text wraps, when a table is too wide for one line.
_WRAP_MM = 30.0


@dataclass
class Cell:
    """One table cell: its text, whether it is a header, right-aligned, or a coloured result."""

    text: str = ""
    header: bool = False
    numeric: bool = False
    tone: str = ""


@dataclass
class Block:
    """One piece of the report, in reading order.

    ``kind`` is ``cover`` (``items``: (name, value) pairs, ``text``: title, ``note``: credit),
    ``h2`` (``text``, ``sid``), ``h3``, ``p`` (``note`` when a side note), ``pre`` (text as
    written), ``li``, ``table``
    (``caption``, ``rows`` of :class:`Cell`) or ``figure`` (``caption``, ``png`` or ``svg``).
    """

    kind: str
    text: str = ""
    sid: str = ""
    note: str = ""
    caption: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    png: bytes = b""
    svg: str = ""


class _Reader(HTMLParser):
    """Reads ``report.html`` into :class:`Block` s (the structure its writers produce)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.stack: list[str] = []
        self.text: list[str] = []
        self.skip = 0
        self.cover: Block | None = None
        self.table: Block | None = None
        self.row: list[Cell] | None = None
        self.cell: Cell | None = None
        self.figure: Block | None = None
        self.svg: list[str] | None = None
        self.sid = ""
        self.capture = ""  # the element whose text is being collected
        self.attrs: dict[str, str] = {}

    # -- helpers
    def _flush(self) -> str:
        out = re.sub(r"[ \t\r\f\v]+", " ", "".join(self.text)).strip()
        self.text = []
        return out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.svg is not None:
            self.svg.append(self.get_starttag_text() or "")
            if tag == "svg":
                self.skip += 1
            return
        if tag in ("style", "title", "nav", "script"):
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "header" and "cover" in a.get("class", ""):
            self.cover = Block("cover")
        elif tag == "section":
            self.sid = a.get("id", "")
        elif tag in ("h1", "h2", "h3", "p", "pre", "li", "dt", "dd", "caption", "figcaption"):
            self.capture, self.attrs = tag, a
            self.text = []
        elif tag == "div" and "credit" in a.get("class", "") and self.cover is not None:
            self.capture = "credit"
            self.text = []
        elif tag == "br":
            self.text.append("\n")
        elif tag == "table":
            self.table = Block("table")
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = Cell(header=tag == "th", numeric="num" in a.get("class", ""))
            self.text = []
        elif tag == "span" and self.cell is not None:
            cls = a.get("class", "")
            self.cell.tone = "pass" if "pass" in cls else "fail" if "fail" in cls else ""
            if "status" in cls:
                self.text.append(" ")
        elif tag == "figure":
            self.figure = Block("figure")
        elif tag == "img" and self.figure is not None:
            src = a.get("src", "")
            if src.startswith("data:image/png;base64,"):
                self.figure.png = base64.b64decode(src.split(",", 1)[1])
        elif tag == "svg" and self.figure is not None:
            self.svg = [self.get_starttag_text() or ""]
            self.skip = 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.svg is not None:
            self.svg.append(self.get_starttag_text() or "")
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.svg is not None:
            self.svg.append(f"</{tag}>")
            if tag == "svg":
                self.skip -= 1
                if self.skip == 0 and self.figure is not None:
                    self.figure.svg = "".join(self.svg)
                    self.svg = None
            return
        if tag in ("style", "title", "nav", "script"):
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "pre" and self.capture == "pre":
            self.capture = ""
            self.blocks.append(Block("pre", text="".join(self.text).strip("\n"), note="note"))
            self.text = []
        elif tag == self.capture or (tag == "div" and self.capture == "credit"):
            text = self._flush()
            kind, self.capture = self.capture, ""
            if self.cover is not None:
                if kind == "h1":
                    self.cover.text = text
                elif kind == "dt":
                    self.cover.items.append((text, ""))
                elif kind == "dd" and self.cover.items:
                    self.cover.items[-1] = (self.cover.items[-1][0], text)
                elif kind == "credit":
                    self.cover.note = text
            elif kind == "caption" and self.table is not None:
                self.table.caption = text
            elif kind == "figcaption" and self.figure is not None:
                self.figure.caption = text
            elif kind == "h2":
                self.blocks.append(Block("h2", text=text, sid=self.sid))
            elif kind in ("h3", "li") and text:
                self.blocks.append(Block(kind, text=text))
            elif kind == "p" and text:
                note = "note" if "note" in self.attrs.get("class", "") else ""
                self.blocks.append(Block("p", text=text, note=note))
        elif tag == "header" and self.cover is not None:
            self.blocks.append(self.cover)
            self.cover = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.cell.text = self._flush()
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if self.row:
                self.table.rows.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None:
            if self.table.rows:
                self.blocks.append(self.table)
            self.table = None
        elif tag == "figure" and self.figure is not None:
            self.blocks.append(self.figure)
            self.figure = None

    def handle_data(self, data: str) -> None:
        if self.svg is not None:
            from html import escape

            self.svg.append(escape(data, quote=False))
        elif not self.skip and (self.capture or self.cell is not None):
            self.text.append(data)


def report_blocks(html: str) -> list[Block]:
    """The cover, headings, paragraphs, tables and figures of ``report.html``, in order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.blocks


def _bold_path(font: CjkFont) -> Path:
    """The bold companion of ``font`` when installed (Noto … Bold, 微软雅黑 Bold), else itself."""
    name = font.path.name
    for regular, bold in (("Regular", "Bold"), ("msyh.ttc", "msyhbd.ttc")):
        if regular in name:
            other = font.path.with_name(name.replace(regular, bold))
            if other.is_file():
                return other
    return font.path


def _pdf_class() -> Any:
    from fpdf import FPDF

    class _ReportPDF(FPDF):
        page_text = "{n} / {m}"

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(_FAMILY, "", 8)
            self.set_text_color(*_GREY)
            text = self.page_text.format(n=self.page_no(), m="{nb}")
            self.cell(0, 6, text, align="C")

    return _ReportPDF


def _col_widths(pdf: Any, rows: list[list[Cell]], width: float) -> list[float]:
    """Column widths (mm) summing to ``width``: short columns keep one line, long ones share
    what is left in proportion to their one-line width."""
    n = max(len(r) for r in rows)
    natural = [6.0] * n
    for r in rows:
        for j, c in enumerate(r):
            longest = max((pdf.get_string_width(t) for t in c.text.split("\n")), default=0.0)
            # a header may take two lines
            natural[j] = max(natural[j], (longest / 2 if c.header else longest) + 3.0)
    if sum(natural) <= width:
        scale = width / sum(natural)
        return [w * scale for w in natural]
    # wrap the widest columns, one more at a time, until the others fit on one line
    rest: list[int] = []
    for j in sorted(range(n), key=lambda j: -natural[j]):
        rest.append(j)
        fixed = sum(natural[k] for k in range(n) if k not in rest)
        if fixed + _WRAP_MM * len(rest) <= width:
            break
    else:
        scale = width / sum(natural)  # too many columns: shrink all alike
        return [w * scale for w in natural]
    total_rest = sum(natural[j] for j in rest)
    out = list(natural)
    for j in rest:
        out[j] = (width - fixed) * natural[j] / total_rest
    return out


def _table(pdf: Any, block: Block) -> None:
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    if block.caption:
        _ensure_room(pdf, 20)
        pdf.set_font(_FAMILY, "B", 9.5)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(0, 5.5, block.caption, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 7.5)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.2)
    widths = _col_widths(pdf, block.rows, pdf.epw)
    heads = 0
    for r in block.rows:
        if r and all(c.header for c in r):
            heads += 1
        else:
            break
    headings = FontFace(emphasis="BOLD", fill_color=_HEAD_FILL, color=_INK)
    with pdf.table(
        col_widths=tuple(widths),
        width=pdf.epw,
        first_row_as_headings=heads > 0,
        num_heading_rows=max(heads, 1),
        headings_style=headings,
        line_height=4.0,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
        padding=(0.8, 1.2),
        v_align="TOP",
        borders_layout="ALL",
    ) as table:
        for r in block.rows:
            row = table.row()
            for c in r:
                style = None
                if c.tone and not c.header:
                    style = FontFace(color=_PASS if c.tone == "pass" else _FAIL, emphasis="BOLD")
                elif c.header and heads == 0:
                    style = FontFace(emphasis="BOLD", fill_color=_HEAD_FILL)
                row.cell(c.text, align="RIGHT" if c.numeric else "LEFT", style=style)
    pdf.ln(3)


def _ensure_room(pdf: Any, height: float) -> None:
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page(orientation=pdf.cur_orientation)


def _figure(pdf: Any, block: Block) -> None:
    if block.png:
        from PIL import Image

        with Image.open(io.BytesIO(block.png)) as im:
            ratio = im.height / im.width
        w = min(pdf.epw, (pdf.eph - 20) / ratio)
        _ensure_room(pdf, w * ratio + 10)
        pdf.image(io.BytesIO(block.png), x=pdf.l_margin + (pdf.epw - w) / 2, w=w)
    elif block.svg:
        svg = re.sub(r'font-family="[^"]*"', f'font-family="{_FAMILY}"', block.svg)
        svg = re.sub(r'width="100%"', "", svg, count=1)
        w = pdf.epw
        _ensure_room(pdf, 60)
        pdf.image(io.BytesIO(svg.encode("utf-8")), x=pdf.l_margin, w=w, keep_aspect_ratio=True)
    if block.caption:
        pdf.set_font(_FAMILY, "B", 9.5)
        pdf.set_text_color(*_INK)
        pdf.multi_cell(0, 5.5, block.caption, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(3)


def _cover(pdf: Any, block: Block) -> None:
    pdf.set_y(88)
    pdf.set_font(_FAMILY, "B", 22)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(0, 11, block.text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*_ACCENT)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, pdf.get_y() + 3, pdf.l_margin + pdf.epw, pdf.get_y() + 3)
    pdf.ln(10)
    pdf.set_font(_FAMILY, "", 11)
    key_w = max(pdf.get_string_width(k) for k, _ in block.items) + 8 if block.items else 30
    for k, v in block.items:
        pdf.set_text_color(*_GREY)
        pdf.set_font(_FAMILY, "", 11)
        pdf.cell(key_w, 8, k)
        pdf.set_text_color(*_INK)
        pdf.set_font(_FAMILY, "B", 11)
        pdf.multi_cell(0, 8, v, new_x="LMARGIN", new_y="NEXT")
    if block.note:
        pdf.ln(6)
        pdf.set_font(_FAMILY, "", 10)
        pdf.set_text_color(138, 75, 8)
        pdf.multi_cell(0, 6, block.note, new_x="LMARGIN", new_y="NEXT")


def write_report_pdf(html: str, path: Path, *, lang: str, font: CjkFont) -> None:
    """Write ``report.pdf`` from the report's HTML.

    Parameters
    ----------
    html
        The whole ``report.html`` (:func:`lifecircle.maps.report.render_report_html`).
    path
        The file to write (overwritten).
    lang
        The report's language (the page footer).
    font
        The CJK font to embed (subset to the characters used).

    Notes
    -----
    The document's dates are the run date (:func:`lifecircle.maps.filing.run_datetime`), so
    equal reports give equal bytes.
    """
    import datetime as dt

    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.page_text = label("page_of", lang)
    pdf.set_creation_date(run_datetime().replace(tzinfo=dt.UTC))
    pdf.set_creator("lifecircle")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 16, 16)
    pdf.add_font(_FAMILY, "", str(font.path), collection_font_number=font.face_index)
    pdf.add_font(_FAMILY, "B", str(_bold_path(font)), collection_font_number=font.face_index)
    pdf.set_font(_FAMILY, "", 10)
    # Chinese text breaks between any two characters and is set flush left: justifying it
    # on the spaces around Latin words opens wide gaps
    flow = {"align": "L", "wrapmode": "CHAR" if lang == "zh" else "WORD"}
    pdf.add_page()
    for block in report_blocks(html):
        if block.kind == "cover":
            pdf.set_title(block.text)
            _cover(pdf, block)
        elif block.kind == "h2":
            orientation = "L" if block.sid in LANDSCAPE else "P"
            if block.sid in BREAK_BEFORE or orientation != pdf.cur_orientation:
                pdf.add_page(orientation=orientation)
            else:
                _ensure_room(pdf, 40)
                pdf.ln(4)
            pdf.set_font(_FAMILY, "B", 14)
            pdf.set_text_color(*_ACCENT)
            pdf.multi_cell(0, 8, block.text, new_x="LMARGIN", new_y="NEXT", **flow)
            pdf.ln(1)
        elif block.kind == "h3":
            _ensure_room(pdf, 30)
            pdf.set_font(_FAMILY, "B", 11)
            pdf.set_text_color(*_INK)
            pdf.multi_cell(0, 6.5, block.text, new_x="LMARGIN", new_y="NEXT", **flow)
        elif block.kind in ("p", "li"):
            pdf.set_font(_FAMILY, "", 8.5 if block.note else 9.5)
            pdf.set_text_color(*(_GREY if block.note else _INK))
            text = f"• {block.text}" if block.kind == "li" else block.text
            pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", **flow)
            pdf.ln(1.5)
        elif block.kind == "pre":
            pdf.set_font(_FAMILY, "", 7)
            pdf.set_text_color(*_GREY)
            pdf.multi_cell(0, 3.6, block.text, new_x="LMARGIN", new_y="NEXT", **flow)
            pdf.ln(1.5)
        elif block.kind == "table":
            _table(pdf, block)
        elif block.kind == "figure":
            _figure(pdf, block)
    path.write_bytes(bytes(pdf.output()))
