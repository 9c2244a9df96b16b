"""Console output on a GBK (cp936) console or redirect never crashes: what GBK cannot write is
written as a readable substitute."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from lifecircle.console import readable, readable_output, substitute


@pytest.mark.parametrize(
    ("text", "encoding", "shown"),
    [
        ("30 m²/100户", "gbk", "30 m2/100户"),
        ("10³ m³", "gbk", "103 m3"),
        ("≥ 60 ≤ 80 – 2.0.2—2.0.4", "gbk", "≥ 60 ≤ 80 – 2.0.2—2.0.4"),  # GBK has these
        ("  ✓ 读取图层", "gbk", "  √ 读取图层"),
        ("≥ 60 – 70 — m² ✓ …", "ascii", ">= 60 - 70 - m2 v ..."),
        ("社区 é Ａ", "ascii", "?? e A"),
        ("m² ✓", "utf-8", "m² ✓"),
    ],
)
def test_readable_substitutes(text: str, encoding: str, shown: str) -> None:
    assert readable(text, encoding) == shown


def test_substitute_falls_back_to_a_question_mark() -> None:
    assert substitute("\u2603", "gbk") == "?"  # snowman
    assert substitute("²", "ascii") == "2"


def _stream(raw: io.BytesIO, encoding: str, errors: str = "strict") -> io.TextIOWrapper:
    return io.TextIOWrapper(raw, encoding=encoding, errors=errors, write_through=True)


def test_readable_output_reconfigures_strict_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    raw_out, raw_err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", _stream(raw_out, "gbk"))
    monkeypatch.setattr(sys, "stderr", _stream(raw_err, "gbk", "backslashreplace"))
    readable_output()
    print("面积 m² ✓")
    print("  ✓ 读取图层", file=sys.stderr)
    assert raw_out.getvalue().decode("gbk") == "面积 m2 √\n"
    assert raw_err.getvalue().decode("gbk") == "  √ 读取图层\n"


def test_readable_output_keeps_an_explicit_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _stream(io.BytesIO(), "gbk", "replace")  # PYTHONIOENCODING=gbk:replace
    monkeypatch.setattr(sys, "stdout", out)
    readable_output()
    assert out.errors == "replace"


def test_readable_output_leaves_streams_without_reconfigure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    readable_output()  # pythonw has no stdout; StringIO has no reconfigure


def _python_gbk(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    env.pop("PYTHONUTF8", None)
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, timeout=120)


def _cli_gbk(*args: str) -> subprocess.CompletedProcess[bytes]:
    return _python_gbk("-m", "lifecircle", *args)


def test_progress_on_a_gbk_stderr() -> None:
    """stderr's default handler would write ✓ as \\u2713; the progress lines use ✓."""
    code = (
        "import sys; from lifecircle.console import readable_output; readable_output(); "
        "sys.stderr.write('  ✓ 读取图层 m²\\n')"
    )
    proc = _python_gbk("-c", code)
    assert proc.returncode == 0
    assert proc.stderr.decode("gbk").splitlines() == ["  √ 读取图层 m2"]


def test_profile_on_a_gbk_console() -> None:
    proc = _cli_gbk("profiles", "show", "cn-national")
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    out = proc.stdout.decode("gbk")
    assert "社区" in out
    assert "m2/100户" in out  # m² written as m2


def test_help_on_a_gbk_console() -> None:
    proc = _cli_gbk("--help")
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    assert "生活圈" in proc.stdout.decode("gbk")
