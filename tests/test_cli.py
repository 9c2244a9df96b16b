"""The ``lifecircle`` command: exit codes, messages without tracebacks, atomic outputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from sample_results import make_results

from lifecircle import __version__
from lifecircle.cli import main
from lifecircle.run import write_outputs


def _copy_demo(demo_dir: Path, dest: Path) -> Path:
    for path in demo_dir.iterdir():
        if path.is_file() and path.suffix in {".osm", ".gpkg", ".csv", ".tif", ".toml"}:
            shutil.copy(path, dest / path.name)
    return dest / "project.toml"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"lifecircle {__version__}"


@pytest.mark.parametrize("command", ["demo", "run", "check", "site", "compare", "profiles"])
def test_help_on_each_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert "usage: lifecircle" in capsys.readouterr().out


def test_profiles_lists_the_built_ins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    for pid in ("cn-national", "gz-wengan-2023", "sc-renshou-2018", "sx-yangquan-2015"):
        assert pid in out
    assert main(["profiles", "show", "gz-wengan-2023"]) == 0
    assert "31.2" in capsys.readouterr().out


def test_check_valid_demo(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(demo_dir / "project.toml")]) == 0
    out = capsys.readouterr().out
    # the demo's outlying populated cells, 287 of them in the recorded issues.csv, are one warning
    assert "输入可用" in out and "population.tif（r" in out
    assert "超过最大吸附距离 300 米（另有 286 条同类）；运行时：未接入路网" in out


def test_check_sees_what_the_later_steps_would_report(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A station's community_id that names no community is found by the norms step: check
    reports it as a warning, as run writes it to issues.csv."""
    project = _copy_demo(demo_dir, tmp_path)
    csv = tmp_path / "facilities.csv"
    text = csv.read_bytes().decode("gbk")
    assert "F0001,文庙社区综合服务站,社区综合服务站,1050,C01," in text
    text = text.replace(
        "F0001,文庙社区综合服务站,社区综合服务站,1050,C01,",
        "F0001,文庙社区综合服务站,社区综合服务站,1050,C99,",
    )
    csv.write_bytes(text.encode("gbk"))
    assert main(["check", str(project)]) == 0
    out = capsys.readouterr().out
    assert "facilities.csv（F0001）：所属社区编号 'C99' 不在社区图层中" in out
    assert "运行时：改按位置确定所属社区" in out


def test_check_bad_project_lists_all_problems(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _copy_demo(demo_dir, tmp_path)
    comm = gpd.read_file(tmp_path / "communities.gpkg")
    comm.loc[[3, 8], "households"] = -10
    comm = comm.drop(columns="name")
    comm.to_file(tmp_path / "communities.gpkg", driver="GPKG")
    csv = (tmp_path / "facilities.csv").read_bytes().decode("gbk")
    (tmp_path / "facilities.csv").write_bytes(csv.replace("编号", "序号", 1).encode("gbk"))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["check", str(project)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "communities.gpkg" in err and "'households'" in err and "rows 4, 9" in err
    assert "'name'" in err
    assert "facilities.csv" in err and "编号" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # check writes nothing


def test_run_with_bad_input_exits_2_and_writes_nothing(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _copy_demo(demo_dir, tmp_path)
    text = project.read_text(encoding="utf-8").replace('crs = "gcj02"', 'crs = "EPSG:999999"')
    project.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["-q", "run", str(project), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "EPSG:999999" in err
    assert not out.exists() or list(out.iterdir()) == []


def test_bad_project_key_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[project]\nname = "x"\nlanguage = "zh"\n', encoding="utf-8")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'language'" in err and "valid keys" in err


def test_site_needs_a_category(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _copy_demo(demo_dir, tmp_path)
    text = project.read_text(encoding="utf-8").split("[siting]")[0] + '[map]\nbasemap = "none"\n'
    project.write_text(text, encoding="utf-8")
    assert main(["site", str(project)]) == 2
    assert "nothing to site" in capsys.readouterr().err
    assert main(["site", str(project), "--category", "bakery", "--new-sites", "2"]) == 2
    assert "not a category of profile" in capsys.readouterr().err


def test_failed_write_keeps_previous_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = make_results()
    out = tmp_path / "out"
    write_outputs(results, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {
        "map.html",
        "report.html",
        "report.xlsx",
        "results.gpkg",
        "summary.json",
        "issues.csv",
    }

    def broken_xlsx(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("lifecircle.run.outputs.write_report_xlsx", broken_xlsx)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(results, out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # nothing half-written, no temporary folder left


def test_module_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lifecircle", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and __version__ in proc.stdout
