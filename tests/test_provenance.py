"""Provenance in every output folder (run, comparison, sweep, calibration) from one function, shown by the
reports; the calibration's fingerprint sees behaviour, not docstrings or comments; a stale calibration is
said in one line; calibrate replaces the shipped calibration only when asked."""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import papsim
from papsim import provenance
from papsim.analyses import calibration
from papsim.cli import main
from papsim.experiments import Spec, sweep
from papsim.experiments.models import ishigami
from papsim.kernels import TWINS
from papsim.present import report
from papsim.scenario import SCENARIO_DIR

SHIPPED = SCENARIO_DIR / "calibrated.toml"


def calibrated_on(folder: Path, fingerprint: str) -> Path:
    """A scenario extending a copy of the shipped calibration that records ``fingerprint``."""
    folder.mkdir(parents=True, exist_ok=True)
    text = provenance.FINGERPRINT.sub(f"# Model fingerprint (test): {fingerprint}", SHIPPED.read_text())
    (folder / "cal.toml").write_text(text)
    scenario = folder / "scenario.toml"
    scenario.write_text(f'[scenario]\nname = "on_{fingerprint[:4]}"\nextends = "cal.toml"\n')
    return scenario


@pytest.mark.filterwarnings("ignore::papsim.provenance.StaleCalibration")  # the shipped one may be stale
def test_the_block_names_the_package_environment_kernels_and_scenarios(baseline):
    block = provenance.provenance([baseline])
    assert block["package"] == "pap-sim" and block["version"] == papsim.__version__
    assert re.fullmatch(r"\w+ 3\.\d+\.\d+.*", block["python"]) and block["platform"]
    assert {"mesa", "numpy", "pandas", "networkx"} <= set(block["dependencies"])
    assert set(block["kernels"]["modules"]) == set(TWINS)
    entry = block["scenarios"]["baseline"]
    assert entry["file"] == str(baseline.path) and entry["sha256"] == provenance.scenario_digest(baseline)
    assert entry["calibration"]["file"] == str(SHIPPED.resolve())
    assert entry["calibration"]["status"] in ("current", "stale")
    assert "kernels" not in provenance.provenance() and "scenarios" not in provenance.provenance()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_from_a_checkout_and_none_elsewhere(tmp_path, monkeypatch):
    head = subprocess.run(["git", "-C", str(provenance.PACKAGE_DIR), "rev-parse", "HEAD"], capture_output=True,
                          text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    assert provenance.git_state()["commit"] == head.stdout.strip()
    monkeypatch.setenv("PATH", str(tmp_path))  # git absent: no commit, no error
    assert provenance.git_state() is None
    monkeypatch.undo()
    monkeypatch.setattr(provenance, "PACKAGE_DIR", tmp_path / "site-packages" / "papsim")  # an installed copy
    assert provenance.git_state() is None


def test_kernels_per_module(monkeypatch):
    monkeypatch.setenv("PAP_SIM_KERNELS", "numpy")
    state = provenance.kernel_state()
    assert state == {"set": "numpy", "choice": "numpy", "modules": {m: "numpy" for m in TWINS}}
    monkeypatch.setenv("PAP_SIM_KERNELS", "auto")
    state = provenance.kernel_state()
    assert state["set"] == papsim.kernels.select().name
    assert all(v == "compiled" or v.startswith("numpy") for v in state["modules"].values())


def test_the_scenario_digest_is_its_content_not_its_place(baseline):
    digest = provenance.scenario_digest(baseline)
    assert provenance.scenario_digest(dataclasses.replace(baseline, path=Path("/elsewhere.toml"),
                                                          description="other words")) == digest
    assert provenance.scenario_digest(baseline.replace(days=30)) != digest
    assert provenance.scenario_digest(baseline.replace(gang_expansion_rate=0.05)) != digest


def test_the_fingerprint_sees_code_and_data_not_docstrings_or_comments(tmp_path, monkeypatch):
    package, library = tmp_path / "papsim", tmp_path / "scenarios"
    (library / "map").mkdir(parents=True)
    package.mkdir()
    monkeypatch.setattr(provenance, "PACKAGE_DIR", package)
    monkeypatch.setattr(provenance, "SCENARIO_DIR", library)
    model, city = package / "model.py", library / "map" / "city.toml"

    def fingerprint(code: str, data: str) -> str:
        model.write_text(code)
        city.write_text(data)
        return provenance.model_fingerprint()

    plain = fingerprint("def f(x):\n    return x + 1\n", "cells = 1\n")
    documented = '"""A module."""\n# a comment\ndef f(x):\n    """What f does."""\n    return x + 1  # one\n'
    described = fingerprint(documented, "# the source of the number\ncells = 1  # [V]\n")
    assert described == plain
    (library / "map" / "build.py").write_text("print('rebuild the data')\n")  # a script beside the data
    assert provenance.model_fingerprint() == plain
    assert fingerprint("def f(x):\n    return x + 2\n", "cells = 1\n") != plain
    assert fingerprint("def f(x):\n    return x + 1\n", "cells = 2\n") != plain


def test_every_fingerprinted_pattern_names_files():
    for pattern in provenance.FINGERPRINTED:
        assert list(provenance.PACKAGE_DIR.glob(pattern)), pattern
    assert any(name.startswith("map/") for name in provenance.fingerprinted_files())


def test_a_stale_calibration_is_warned_and_a_current_one_is_not(tmp_path):
    stale = papsim.load_scenario(calibrated_on(tmp_path / "stale", "0123456789abcdef"))
    with pytest.warns(provenance.StaleCalibration, match=r"cal.toml is stale: it was made on model fingerprint "
                                                         r"0123456789abcdef, the code and map now give [0-9a-f]{16}"):
        block = provenance.provenance([stale])
    assert block["scenarios"][stale.name]["calibration"]["status"] == "stale"
    current = papsim.load_scenario(calibrated_on(tmp_path / "current", provenance.model_fingerprint()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert provenance.provenance([current])["scenarios"][current.name]["calibration"]["status"] == "current"
    assert provenance.inherited_calibration(SCENARIO_DIR / "baseline.toml") == SHIPPED.resolve()


def test_a_run_on_a_stale_calibration_says_so_in_one_line_and_records_it(tmp_path, capsys):
    scenario = calibrated_on(tmp_path / "sc", "fedcba9876543210")
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--days", "3", "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pap-sim: warning: the calibration ") and "is stale" in err[0]
    block = json.loads((out / "provenance.json").read_text())
    entry = block["scenarios"]["on_fedc"]
    assert entry["calibration"]["status"] == "stale" and entry["calibration"]["fingerprint"] == "fedcba9876543210"
    assert entry["sha256"] == provenance.scenario_digest(papsim.load_scenario(scenario).replace(days=3))
    assert block["version"] == papsim.__version__
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", report.build(out).read_text()))
    assert "How the results were made (provenance.json)" in text
    assert "Scenario on_fedc inherited a stale calibration" in text and entry["sha256"] in text


def test_comparison_and_sweep_stores_record_their_provenance(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "no_mission", "baseline", "--replicates", "1", "--days", "3", "--out", str(out),
                 "--executor", "serial", "-q"]) == 0
    block = json.loads((out / "provenance.json").read_text())
    assert set(block["scenarios"]) == {"no_mission", "baseline"} and block["kernels"]["modules"]
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["version"] == papsim.__version__
    assert "How the results were made" in report.build(out).read_text()
    spec = Spec.from_dict({"name": "toy", "model": "ishigami", "replicates": 1, "seed": 1,
                           "design": {"method": "random", "n": 4}, "analysis": {"methods": []},
                           "factors": {f"x{i}": {"low": -3.0, "high": 3.0} for i in (1, 2, 3)}})
    done = sweep(spec, ishigami, tmp_path / "toy", executor="serial", progress=False)
    block = json.loads((done.store.path / "provenance.json").read_text())
    assert block["version"] == papsim.__version__ and "scenarios" not in block  # not a pap-sim model


def _calibrate(out: Path, *flags: str) -> int:
    return main(["calibrate", "--budget", "8", "--replicates", "1", "--particles", "4", "--out", str(out),
                 "--executor", "serial", "-q", *flags])


def test_calibrate_writes_into_its_folder_and_replaces_the_shipped_file_only_when_asked(tmp_path, monkeypatch):
    shipped_before = SHIPPED.read_bytes()
    stand_in = tmp_path / "shipped.toml"  # the shipped calibration, as calibrate sees it here
    stand_in.write_text("untouched")
    monkeypatch.setattr(calibration, "CALIBRATED", stand_in)
    out = tmp_path / "cal"
    assert _calibrate(out) == 0
    written = (out / "calibrated.toml").read_text()
    assert provenance.FINGERPRINT.search(written).group(1) == provenance.model_fingerprint()
    assert stand_in.read_text() == "untouched"
    assert (out / "provenance.json").is_file() and (out / "gen-00" / "provenance.json").is_file()
    assert json.loads((out / "calibration.json").read_text())["replaced_shipped_calibration"] is False
    assert _calibrate(tmp_path / "cal2", "--update-shipped") == 0
    assert stand_in.read_text() == (tmp_path / "cal2" / "calibrated.toml").read_text()
    assert SHIPPED.read_bytes() == shipped_before
