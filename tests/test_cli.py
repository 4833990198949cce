"""The command line end to end, and every kind of bad scenario input."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import papsim
from papsim.errors import InputError
from papsim.events import COLUMN_NAMES
from papsim.outcomes import BY_NAME, HEADLINE
from papsim.registry import PARAMETERS

ROOT = Path(__file__).resolve().parent.parent


def pap_sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "papsim", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "run"
    done = pap_sim("run", str(ROOT / "scenarios/baseline.toml"), "--seed", "3", "--days", "40", "--out", str(out))
    assert done.returncode == 0, done.stderr
    for name in HEADLINE:  # the printed summary: the catalogue's labels and formats
        assert BY_NAME[name].label in done.stdout
    assert re.search(r"%\s+\d+\.\d%\n", done.stdout) and "e+" not in done.stdout and "inf" not in done.stdout
    for name in ("timeseries.csv", "summary.json", "sites.csv", "control_maps.png", "timeseries.png"):
        assert (out / name).stat().st_size > 0, name
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 41 and "gang_population_share" in ts.columns
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["summary"]["days"] == 40
    assert summary["kernels"] == papsim.kernels.select().name  # which set ran (the same numbers either way)
    again = papsim.run(ROOT / "scenarios/baseline.toml", seed=3, days=40).timeseries
    assert ts["gang_population_share"].tolist() == pytest.approx(again["gang_population_share"].tolist(), rel=1e-12)
    events = pd.read_parquet(out / "events.parquet")  # the events log, as the catalogue lists it
    assert tuple(events.columns) == COLUMN_NAMES and len(events) > 0
    assert events["killed_gang"].sum() == pytest.approx(ts["deaths_gang"].sum())


def test_params_lists_the_registry():
    done = pap_sim("params")
    assert done.returncode == 0
    for name in PARAMETERS:
        assert name in done.stdout


def test_help_on_every_command():
    for args in (("--help",), ("run", "--help"), ("params", "--help")):
        done = pap_sim(*args)
        assert done.returncode == 0 and "usage" in done.stdout


BAD = {
    "syntax": ("[parameters\nx = 1\n", "not valid TOML"),
    "unknown key": ("[parameters]\nno_such_parameter = 1\n", "unknown parameter 'parameters.no_such_parameter'"),
    "unknown table": ("[paramters]\nretake_memory_days = 1\n", "unknown table or key 'paramters'"),
    "wrong type": ('[parameters]\nretake_memory_days = "long"\n',
                   "parameters.retake_memory_days = 'long' is not allowed; expected a int in [30, 365]"),
    "out of range": ("[parameters]\nroe_caution = 1.5\n", "parameters.roe_caution = 1.5 is not allowed; expected a float in [0, 1]"),
    "nan": ("[parameters]\nroe_caution = nan\n", "parameters.roe_caution = nan is not allowed"),
    "bad choice": ('[parameters]\ntarget_rule = "random"\n', "target_rule = 'random' is not allowed; expected one of"),
    "bool as number": ("[parameters]\nretake_memory_days = true\n",
                       "parameters.retake_memory_days = True is not allowed"),
    "bad arrival": ('[[mss_arrivals]]\ndate = 2024-01-01\npersonnel = -5\nsource = "x"\n', "mss_arrivals[1].personnel = -5"),
    "missing map": ('map = "nowhere.toml"\n', "scenario.map"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_gives_one_line_and_exit_2(tmp_path, case):
    body, message = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(f'[scenario]\nextends = "{(ROOT / "scenarios/baseline.toml").as_posix()}"\n' + body)
    done = pap_sim("run", str(path), "--days", "2", "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert str(path) in lines[0] and message in lines[0], lines[0]
    with pytest.raises(InputError):
        papsim.load_scenario(path)


def test_missing_scenario_file_exits_2(tmp_path):
    done = pap_sim("run", str(tmp_path / "absent.toml"))
    assert done.returncode == 2 and "scenario file not found" in done.stderr and "Traceback" not in done.stderr


def test_bad_command_line_values_exit_2():
    done = pap_sim("run", "--seed", "-1")
    assert done.returncode == 2 and "expected a number >= 0" in done.stderr


def test_replace_validates_against_the_registry(baseline):
    with pytest.raises(InputError, match="mss_target_personnel = -1 is not allowed"):
        baseline.replace(mss_target_personnel=-1)
    with pytest.raises(InputError, match="unknown parameter"):
        baseline.replace(nonsense=1)
    assert baseline.replace(mss_target_personnel=5550)["mss_target_personnel"] == 5550


def test_a_bad_kernels_choice_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "papsim", "run", "--days", "2", "--out", str(tmp_path / "r")],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PAP_SIM_KERNELS": "fastest"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith(
        "PAP_SIM_KERNELS = 'fastest' is not allowed; expected one of auto, compiled, numpy")
    assert "Traceback" not in done.stderr
