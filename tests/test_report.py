"""``pap-sim report DIR``: one self-contained HTML file for every kind of results folder."""

from __future__ import annotations

import base64
import html as html_lib
import io
import json
import re

import pytest
from PIL import Image

from papsim.present import report
from papsim.cli import main
from papsim.experiments import PapSim, Spec, sweep
from papsim.present.experiment_files import analyze
from papsim.scenario import SCENARIO_DIR

DAYS = 15
COMMON = ("overview", "figures", "parameters", "seeds", "versions", "files")
SECTIONS = {
    "run": COMMON + ("outcomes", "sites", "scenario"),
    "comparison": COMMON + ("outcomes", "scenario"),
    "sweep": COMMON + ("tables", "scenario"),
    "sensitivity": COMMON + ("tables", "scenario"),
    "calibration": COMMON + ("tables", "scenario"),
}
IMG = re.compile(r'<img src="data:(image/(?:png|gif));base64,([A-Za-z0-9+/=]+)"')
TITLES = {"run": "Run report", "comparison": "Comparison report", "sweep": "Sweep report",
          "sensitivity": "Sensitivity analysis report", "calibration": "Calibration report"}
READING_NOTES = "How to read these figures"


def _text(html: str) -> str:
    """The text a reader sees: tags, styles and embedded images dropped, entities decoded."""
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _report(folder, capsys, kind, min_images):
    """Run ``pap-sim report`` on ``folder`` and check the HTML: kind, sections, embedded images, offline."""
    assert report.detect(folder) == kind
    out = folder.parent / f"{folder.name}.html"
    assert main(["report", str(folder), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert f"pap-sim {kind} report" in html
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith(TITLES[kind] + ": "), title
    text = _text(html)
    # numbers read as people write them: no scientific notation, no inf or nan
    assert not re.search(r"\d[eE][+-]\d", text), re.search(r".{40}\d[eE][+-]\d.{40}", text).group(0)
    assert not re.search(r"\b(inf|nan|NaN|None)\b", text), re.search(r".{40}\b(inf|nan|NaN|None)\b.{40}", text).group(0)
    for sid in SECTIONS[kind]:
        assert f'<section id="{sid}">' in html, f"section {sid} missing from the {kind} report"
        assert f'href="#{sid}"' in html
    images = IMG.findall(html)
    assert len(images) >= min_images, f"{kind}: {len(images)} images embedded"
    for mime, data in images:
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        assert img.format == mime.split("/")[1].upper() and img.size[0] > 100 and img.size[1] > 100
    # self-contained: nothing to fetch
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html and "<link" not in html
    return html


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    for name in ("baseline", "mss_as_planned"):
        for seed in (1, 2):
            folder = base / f"{name}-{seed}"
            assert main(["run", str(SCENARIO_DIR / f"{name}.toml"), "--seed", str(seed), "--days", str(DAYS),
                         "--out", str(folder), "--quiet"]) == 0
    return base


def test_run_report(runs_dir, capsys):
    html = _report(runs_dir / "baseline-1", capsys, "run", min_images=3)
    assert "Run report: baseline, seed 1" in html
    text = _text(html)
    assert re.search(r"Residents living in gang-controlled cells \(end\) \d+\.\d%", text)  # shares as percentages
    assert re.search(r"Money spent by the mission, cumulative \(end\) \$[\d,.]+(M|bn)?", text)  # money in dollars
    assert "Toussaint Louverture airport" in html  # the key-sites table
    assert "Violence by event" in html and re.search(r"operation security forces \d+", text)  # the events log
    assert "gang_expansion_rate" in html  # the parameters
    assert "pap-sim run " in html and "--seed 1" in html  # how to reproduce it
    assert "mesa" in html and "numpy" in html


def test_report_of_a_folder_of_runs(runs_dir, capsys):
    html = _report(runs_dir, capsys, "comparison", min_images=2)
    for label in ("baseline", "mss_as_planned"):
        assert label in html
    assert "Parameters that differ between scenarios" in html and "mss_follow_schedule" in html


def test_report_of_a_compare_store(tmp_path, capsys):
    folder = tmp_path / "compare"
    assert main(["compare", "no_mission", "mss_as_deployed", "--replicates", "2", "--days", str(DAYS),
                 "--out", str(folder), "--executor", "serial", "-q"]) == 0
    capsys.readouterr()
    html = _report(folder, capsys, "comparison", min_images=2)
    assert "Comparison report: no_mission, mss_as_deployed" in html
    assert "Paired differences" in html


def _store(tmp_path, name, design, factors, series, analysis=None):
    path = str(SCENARIO_DIR / "mss_as_planned.toml")
    replicates = 2 if design["method"] == "grid" else 1
    spec = Spec.from_dict({"name": name, "scenario": path, "days": DAYS, "replicates": replicates,
                           "seed": 9, "outputs": ["gang_population_share_final", "deaths_civilian_total"],
                           "series": series, "design": design, "factors": factors, "analysis": analysis or {}})
    done = sweep(spec, PapSim(path, DAYS, series=series != "none"), tmp_path / name, executor="serial", progress=False)
    analyze(done.store)
    return tmp_path / name


def test_sweep_report(tmp_path, capsys):
    folder = _store(tmp_path, "grid", {"method": "grid"},
                    {"mss_target_personnel": {"values": [0, 1000]}, "funding_share_of_need": {"values": [0.5, 1.0]}},
                    ["gang_population_share", "deaths_civilian", "mss_personnel"],
                    {"planner_by": ["mss_target_personnel", "funding_share_of_need"],
                     "success": ["gang_population_share_final < 0.7"]})
    engine_figures = len(list((folder / "figures").glob("*.png")))
    assert engine_figures >= 4
    html = _report(folder, capsys, "sweep", min_images=engine_figures + 1)  # + the time-series bands
    assert "planner" in html and "mss_target_personnel" in html
    assert READING_NOTES not in html  # the Morris/Sobol' notes belong to sensitivity reports of those methods


def test_sweep_figures_are_drawn_from_the_tables_when_missing(tmp_path, capsys):
    folder = _store(tmp_path, "grid2", {"method": "grid"}, {"mss_target_personnel": {"values": [0, 800]}}, "none",
                    {"planner_by": ["mss_target_personnel"]})
    for png in (folder / "figures").glob("*.png"):
        png.unlink()
    _report(folder, capsys, "sweep", min_images=2)  # the engine's bands, one per output


def test_sensitivity_report(tmp_path, capsys):
    folder = _store(tmp_path, "morris", {"method": "morris", "n": 2, "levels": 4},
                    {"gang_expansion_rate": {}, "roe_caution": {}}, "none", {"bootstrap": 20})
    html = _report(folder, capsys, "sensitivity", min_images=2)
    assert READING_NOTES in html and "mu_star" in html


def test_calibration_store_report(tmp_path, capsys):
    folder = tmp_path / "calibration"
    assert main(["calibrate", "--budget", "8", "--replicates", "1", "--particles", "4", "--out", str(folder),
                 "--calibrated", str(tmp_path / "calibrated.toml"), "--executor", "serial", "-q"]) == 0
    capsys.readouterr()
    html = _report(folder, capsys, "calibration", min_images=2)
    assert "Posterior summary" in html and "mss_as_deployed" in html


def test_loose_calibration_files(tmp_path, capsys, runs_dir):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "calibration.json").write_text(json.dumps({"seed": 7, "packages": {"mesa": "3.5.1"},
                                                         "parameters": {"gang_expansion_rate": 0.02}}))
    (folder / "posterior.csv").write_text("parameter,median\ngang_expansion_rate,0.02\n")
    (folder / "fit.png").write_bytes((runs_dir / "baseline-1" / "timeseries.png").read_bytes())
    html = _report(folder, capsys, "calibration", min_images=1)
    assert "gang_expansion_rate" in html


def test_bad_folders_exit_2_with_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "no such results folder" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "not a results folder" in capsys.readouterr().err
