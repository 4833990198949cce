"""Installable anywhere: the library ships as package data and is found by name; the sdist holds the twins'
Cython sources (not their C files), a wheel builds from it, and that wheel, installed without extras in a
fresh virtual environment, runs and compares scenarios from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import papsim
from papsim.cli import main
from papsim.errors import InputError
from papsim.kernels import twins
from papsim.library import EXPERIMENTS, SCENARIOS
from papsim.scenario import SCENARIO_DIR, library_names, resolve_scenario

ROOT = Path(__file__).resolve().parent.parent
TWINS = sorted(p.stem for p in (ROOT / "papsim" / "kernels").glob("*.pyx"))


def test_the_library_is_read_through_importlib_resources():
    """In a checkout the editable install maps the library's packages onto scenarios/ and experiments/."""
    assert SCENARIO_DIR == SCENARIOS and SCENARIOS.resolve() == (ROOT / "scenarios").resolve()
    assert EXPERIMENTS.resolve() == (ROOT / "experiments").resolve()
    assert {"baseline", "calibrated", "no_mission"} <= set(library_names())


def test_a_scenario_is_a_file_or_a_library_name(tmp_path):
    assert resolve_scenario("baseline") == resolve_scenario("baseline.toml") == (SCENARIOS / "baseline.toml").resolve()
    own = tmp_path / "baseline.toml"
    own.write_text("")
    assert resolve_scenario(str(own)) == own.resolve()  # a file wins over the library name
    with pytest.raises(InputError, match=r"'no_such' is neither a file nor a name in the library \(baseline, "):
        resolve_scenario("no_such")
    with pytest.raises(InputError, match="absent.toml: scenario file not found"):
        resolve_scenario(str(tmp_path / "absent.toml"))
    with pytest.raises(InputError):
        resolve_scenario("map/city")  # the map is not a scenario


def test_version_is_written_once_and_printed(capsys):
    with open(ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "papsim.__version__"}
    assert project["project"]["license"] == "MIT" and project["project"]["license-files"] == ["LICENSE"]
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"pap-sim {papsim.__version__}"
    assert f"## [{papsim.__version__}]" in (ROOT / "CHANGELOG.md").read_text()
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    citation = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in citation and 'title: "pap-sim"' in citation


def test_pap_sim_library_lists_scenarios_and_specs(capsys):
    assert main(["library"]) == 0
    out = capsys.readouterr().out
    assert f"scenarios ({SCENARIOS}):" in out and f"experiments ({EXPERIMENTS}):" in out
    for name in (*library_names(), "deployment_levels", "sobol_core"):
        assert re.search(rf"^  {name}\s+\S", out, re.M), name
    assert "HNP alone" in out  # the descriptions


# ------------------------------------------------------------------------------------------ the wheel
def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """``python -m build``: the sdist, then the wheel built from that sdist."""
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=dist, env=env)
    assert "Building wheel from sdist" in done.stdout + done.stderr
    return {"sdist": next(dist.glob("pap_sim-*.tar.gz")), "wheel": next(dist.glob("pap_sim-*.whl"))}


def test_the_sdist_holds_the_cython_sources_and_the_library(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {f"papsim/kernels/{t}.pyx" for t in TWINS} | {"papsim/kernels/_common.pxd"} <= names
    assert not [n for n in names if n.endswith((".c", ".so", ".pyc"))]
    assert {"LICENSE", "CHANGELOG.md", "CITATION.cff", "setup.py", "pyproject.toml"} <= names
    assert {f"scenarios/{n}.toml" for n in library_names()} <= names
    assert {f"scenarios/map/{p.name}" for p in (ROOT / "scenarios" / "map").iterdir() if p.is_file()} <= names
    assert {f"experiments/{p.name}" for p in EXPERIMENTS.glob("*.toml")} <= names


def test_the_wheel_holds_the_library_the_templates_and_the_twins(built):
    with zipfile.ZipFile(built["wheel"]) as whl:
        names = set(whl.namelist())
        metadata = next(whl.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    library = "papsim/library/scenarios"
    assert {f"{library}/{n}.toml" for n in library_names()} <= names
    assert {f"{library}/map/{p.name}" for p in (ROOT / "scenarios" / "map").iterdir() if p.is_file()} <= names
    assert {f"papsim/library/experiments/{p.name}" for p in EXPERIMENTS.glob("*.toml")} <= names
    assert any(n.startswith("papsim/present/report/templates/") and n.endswith(".html.j2") for n in names)
    built_twins = {n.split("/")[-1].split(".")[0] for n in names if n.startswith("papsim/kernels/") and
                   n.endswith((".so", ".pyd"))}
    if any(t.built is not None for t in twins().values()):  # a C compiler here (else the wheel runs NumPy)
        assert built_twins == set(TWINS)  # built from the sdist: its .pyx files were there
    assert not [n for n in names if n.endswith(".c") or "__pycache__" in n]
    assert f"Version: {papsim.__version__}" in metadata and "License-Expression: MIT" in metadata
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_the_wheel_runs_by_name_outside_the_checkout(built, tmp_path):
    """A fresh virtual environment, the wheel without extras, and the commands from a folder elsewhere."""
    venv, work = tmp_path / "venv", tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MPLBACKEND"] = "Agg"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=env)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(built["wheel"])], cwd=work, env=env)
    pap_sim = str(venv / "bin" / "pap-sim")
    where = _run([str(venv / "bin" / "python"), "-c", "import papsim; print(papsim.__file__)"], cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    assert _run([pap_sim, "--version"], cwd=work, env=env).stdout.strip() == f"pap-sim {papsim.__version__}"
    assert "baseline" in _run([pap_sim, "library"], cwd=work, env=env).stdout

    _run([pap_sim, "run", "baseline", "--days", "30", "--out", "run"], cwd=work, env=env)
    summary = json.loads((work / "run" / "summary.json").read_text())
    assert summary["scenario"] == "baseline" and summary["days"] == 30
    record = json.loads((work / "run" / "provenance.json").read_text())
    assert record["version"] == papsim.__version__ and record["git"] is None  # an installed copy
    assert Path(record["scenarios"]["baseline"]["file"]).is_relative_to(venv)
    assert record["scenarios"]["baseline"]["calibration"]["file"].endswith("library/scenarios/calibrated.toml")

    _run([pap_sim, "compare", "no_mission", "baseline", "--replicates", "2", "--days", "30", "--out", "cmp",
          "--workers", "2", "-q"], cwd=work, env=env)
    assert (work / "cmp" / "tables" / "compare.csv").stat().st_size > 0
    assert set(json.loads((work / "cmp" / "provenance.json").read_text())["scenarios"]) == {"no_mission", "baseline"}
