"""The ``lifecircle`` command.

Exit status: 0 on success, 2 on bad input (the message names the file, the column, the rows and
the fix; no traceback), 1 on an internal error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lifecircle import __version__
from lifecircle.console import readable_output
from lifecircle.errors import InputError, LifecircleError
from lifecircle.issuetexts import render

if TYPE_CHECKING:
    from lifecircle.project import Project
    from lifecircle.run import RunOutput

logger = logging.getLogger("lifecircle")

STEP_LABELS = {
    "load_layers": ("读取图层", "reading layers"),
    "build_network": ("构建步行网络", "building the walk network"),
    "snap": ("点位吸附到路网", "snapping points to streets"),
    "reach": ("最近设施步行距离", "walking distance to the nearest facility"),
    "catchments": ("设施服务范围", "facility catchments"),
    "coverage": ("生活圈覆盖率", "life-circle coverage"),
    "norms": ("规范达标评估", "norm compliance"),
    "siting": ("新增设施选址", "siting new facilities"),
    "isochrones": ("等时圈", "isochrones"),
    "map": ("交互地图", "interactive map"),
    "report": ("报告与表格", "report and tables"),
    "scenarios": ("情景方案", "scenarios"),
}


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width, counting CJK characters as two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cols)


#: What a step's progress bar counts, per step that reports counts.
COUNT_UNITS = {
    "isochrones": ("类别×圈层", "category × level"),
    "map": ("图层", "layers"),
    "report": ("文件", "files"),
}
#: A step shows its progress bar once it has run this long (s).
BAR_AFTER_S = 2.0
BAR_WIDTH = 24


class _Progress:
    """Prints one line per pipeline step with its duration (to stderr, unless quiet).

    On a terminal, a step that runs longer than :data:`BAR_AFTER_S` and reports its advance
    shows a progress bar with the counts (``[#########-------] 12/24 category × level``) on
    its line until it ends; written to a file or a pipe, each step is its one line.
    """

    def __init__(self, stream: TextIO, *, lang: str, quiet: bool) -> None:
        self.stream = stream
        self.lang = lang
        self.quiet = quiet
        self._t0: dict[str, float] = {}
        self._tty = stream.isatty()
        self._bar = False  # a bar is on the current line

    def _label(self, step: str) -> str:
        zh, en = STEP_LABELS.get(step, (step, step))
        return zh if self.lang == "zh" else en

    def __call__(self, step: str, event: str, done: int = 0, total: int = 0) -> None:
        if self.quiet:
            return
        label = self._label(step)
        if event == "start":
            self._t0[step] = time.perf_counter()
            if self._tty:
                self.stream.write(f"  … {label}\r")
                self.stream.flush()
        elif event == "count":
            started = self._t0.get(step, time.perf_counter())
            if self._tty and total > 0 and time.perf_counter() - started >= BAR_AFTER_S:
                self.stream.write("\r" + self.bar(label, step, done, total))
                self.stream.flush()
                self._bar = True
        else:
            dt = time.perf_counter() - self._t0.get(step, time.perf_counter())
            clear = "\r\x1b[K" if self._bar else ""
            self._bar = False
            self.stream.write(f"{clear}  ✓ {_pad(label, 42)} {dt:6.1f} s\n")
            self.stream.flush()

    def bar(self, label: str, step: str, done: int, total: int) -> str:
        """The progress bar line of a step: label, bar and counts."""
        zh, en = COUNT_UNITS.get(step, ("", ""))
        unit = zh if self.lang == "zh" else en
        filled = round(BAR_WIDTH * min(done, total) / total)
        return (
            f"  … {_pad(label, 28)} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
            f"{done}/{total} {unit}"
        )


def demo_project_path() -> Path:
    """Path of the embedded demo county's project file."""
    return Path(str(resources.files("lifecircle.data.demo") / "project.toml"))


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lifecircle",
        description=(
            "15-minute life-circle (15分钟生活圈) coverage, community facility norms and "
            "facility siting for Chinese counties and cities."
        ),
    )
    parser.add_argument("--version", action="version", version=f"lifecircle {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every data problem")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the embedded synthetic demo county (示例县)")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("lifecircle-demo"),
        help="output folder (default: ./lifecircle-demo)",
    )
    demo.add_argument("--lang", choices=["zh", "en"], help="map and report language")
    demo.add_argument("--no-cache", action="store_true", help="do not cache the parsed network")
    demo.add_argument("--pdf", action="store_true", help=_PDF_HELP)

    run = sub.add_parser("run", help="run a project file and write its output folder")
    run.add_argument("project", type=Path, help="the project.toml")
    run.add_argument("--out", type=Path, help="output folder (overrides [project] output)")
    run.add_argument("--no-cache", action="store_true", help="do not cache the parsed network")
    run.add_argument("--pdf", action="store_true", help=_PDF_HELP)

    check = sub.add_parser(
        "check", help="validate a project's inputs and print every problem; writes nothing"
    )
    check.add_argument("project", type=Path)

    site = sub.add_parser("site", help="choose sites for new facilities (and write the outputs)")
    site.add_argument("project", type=Path)
    site.add_argument("--category", help="facility category id, e.g. elderly_day_care")
    site.add_argument("--new-sites", type=int, help="how many new sites")
    site.add_argument("--out", type=Path, help="output folder (overrides [project] output)")
    site.add_argument("--no-cache", action="store_true", help="do not cache the parsed network")
    site.add_argument("--pdf", action="store_true", help=_PDF_HELP)

    comp = sub.add_parser(
        "compare",
        help="compare two projects over the same area (written as the first with the second "
        "as a scenario)",
    )
    comp.add_argument("before", type=Path, help="the first project.toml (the baseline)")
    comp.add_argument("after", type=Path, help="the second project.toml")
    comp.add_argument("--out", type=Path, required=True, help="output folder")
    comp.add_argument("--no-cache", action="store_true", help="do not cache the parsed network")
    comp.add_argument("--pdf", action="store_true", help=_PDF_HELP)

    prof = sub.add_parser("profiles", help="list the built-in norm profiles, or show one")
    prof_sub = prof.add_subparsers(dest="profiles_command", metavar="show")
    show = prof_sub.add_parser("show", help="print a profile's resolved norms with their sources")
    show.add_argument("profile", help="a built-in profile id or a profile TOML")
    show.add_argument("--lang", choices=["zh", "en"], default="zh")
    return parser


_PDF_HELP = "also write report.pdf (A4), as [report] pdf = true does"


def _with_pdf(project: Project, pdf: bool) -> Project:
    """``project`` with ``report.pdf`` asked for when ``pdf`` (the ``--pdf`` flag)."""
    return replace(project, report=replace(project.report, pdf=True)) if pdf else project


def _load(path: Path, out: Path | None, no_cache: bool) -> Project:
    from lifecircle.project import load_project

    project = load_project(path, output=out)
    if no_cache:
        project = replace(project, network=replace(project.network, cache=False))
    return project


def _finish(output: RunOutput, stream: TextIO, lang: str, asked: bool = False) -> None:
    """Say where the outputs are; ``asked``: report.pdf was asked for (say why it is missing)."""

    map_path = output.files["map"]
    pdf = output.files.get("report_pdf")
    n_issues = len(output.results.issues)
    if lang == "zh":
        stream.write(
            f"完成：{output.out_dir}\n  地图 {map_path}\n  报告 {output.files['report']}\n"
            + (f"  报告 PDF {pdf}\n" if pdf else "")
            + f"  数据问题 {n_issues} 条（issues.csv）\n"
        )
    else:
        stream.write(
            f"Done: {output.out_dir}\n  map {map_path}\n  report {output.files['report']}\n"
            + (f"  report PDF {pdf}\n" if pdf else "")
            + f"  {n_issues} data problems (issues.csv)\n"
        )
    if asked and not pdf:
        problem, action = render("pdf_no_cjk_font", {}, lang)
        stream.write(f"{problem}{'：' if lang == 'zh' else ': '}{action}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    readable_output()
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return _dispatch(args)
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except LifecircleError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; no output was half-written\n")
        return 130
    except Exception as exc:  # an internal error: say so plainly, keep the traceback for -v
        if args.verbose or os.environ.get("LIFECIRCLE_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in lifecircle, not in your data. Run again with -v for the traceback.\n"
        )
        return 1


def _check(path: Path, out: TextIO) -> int:
    """``lifecircle check``: errors (exit 2) and warnings (what a run will do, exit 0)."""
    from lifecircle.run import check_report

    project = _load(path, None, False)
    report = check_report(project)
    warnings = report.warnings
    zh = project.lang == "zh"
    if report.errors:
        n = len(report.errors)
        sys.stderr.write(
            f"{path}：{n} 个问题，运行会在此停止：\n"
            if zh
            else f"{path}: {n} problem(s); run stops at them:\n"
        )
        sys.stderr.writelines(f"  - {p}\n" for p in report.errors)
        if warnings:
            sys.stderr.write(
                f"另有 {len(warnings)} 条警告：\n"
                if zh
                else f"and {len(warnings)} warning(s) so far:\n"
            )
            sys.stderr.writelines(f"  - {w}\n" for w in warnings)
        return 2
    if not warnings:
        out.write(f"{path}：全部输入有效\n" if zh else f"{path}: all inputs are valid\n")
        return 0
    out.write(
        f"{path}：输入可用，有 {len(warnings)} 条警告；运行将按下述方式处理，"
        "并逐条列入 issues.csv：\n"
        if zh
        else f"{path}: inputs are usable, with {len(warnings)} warning(s); run goes on as said and "
        "lists each in issues.csv:\n"
    )
    out.writelines(f"  - {w}\n" for w in warnings)
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    from lifecircle.run import compare_projects, run_project, with_siting

    out = sys.stdout
    if args.command == "profiles":
        from lifecircle.analysis.profiles import list_profiles, load_profile
        from lifecircle.maps.profiletext import format_profile

        if args.profiles_command == "show":
            out.write(format_profile(load_profile(args.profile), lang=args.lang) + "\n")
        else:
            for pid, name in list_profiles():
                out.write(f"{pid:<20} {name}\n")
        return 0
    if args.command == "compare":
        before = _with_pdf(_load(args.before, None, args.no_cache), args.pdf)
        after = _load(args.after, None, args.no_cache)
        progress = _Progress(sys.stderr, lang=before.lang, quiet=args.quiet)
        output = compare_projects(before, after, args.out.resolve(), progress=progress)
        _finish(output, out, before.lang, asked=before.report.pdf)
        return 0
    if args.command == "check":
        return _check(args.project, out)
    if args.command == "demo":
        project = _load(demo_project_path(), args.out, args.no_cache)
        if args.lang:
            project = replace(project, lang=args.lang)
        siting = None
    elif args.command == "site":
        project = _load(args.project, args.out, args.no_cache)
        siting = with_siting(project, category=args.category, new_sites=args.new_sites)
        if siting is None:
            raise InputError(
                f"{args.project}: nothing to site: give --category (and --new-sites) or a "
                "[siting] section in the project file"
            )
    else:
        project = _load(args.project, args.out, args.no_cache)
        siting = None
    project = _with_pdf(project, args.pdf)
    progress = _Progress(sys.stderr, lang=project.lang, quiet=args.quiet)
    output = run_project(project, progress=progress, siting=siting)
    _finish(output, out, project.lang, asked=project.report.pdf)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
