"""Bad scenario and map files through ``pap-sim run``: one line naming the file and the key, exit 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from papsim.scenario import SCENARIO_DIR

MAP = Path(SCENARIO_DIR) / "map"


def _run(tmp_path: Path, scenario: str) -> subprocess.CompletedProcess:
    path = tmp_path / "bad.toml"
    path.write_text(scenario)
    return subprocess.run([sys.executable, "-m", "papsim", "run", str(path), "--days", "2", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("scenario, message", [
    ('[scenario]\nstart_date = 9999-12-01\n', "scenario.start_date = datetime.date(9999, 12, 1) is not allowed"),
    ('[scenario]\nstart_date = 0001-01-01\n', "expected a date in [1990-01-01, 2100-12-31]"),
    (f'[scenario]\nstart_date = 2024-01-01\nname = "{"x" * 1_000_000}"\n', "scenario.name must be a string of 1 to 100"),
    ('[scenario]\nstart_date = 2024-01-01\nmap = "garbage.toml"\n', "garbage.toml: not a valid toml file"),
    ('[scenario]\nstart_date = 2024-01-01\nmap = "nosections.toml"\n', "nosections.toml: [map]: sections missing"),
])
def test_a_bad_scenario_or_map_is_one_line_and_exit_2(tmp_path, scenario, message):
    (tmp_path / "garbage.toml").write_bytes(b"\x00\xff not toml [[[")
    (tmp_path / "nosections.toml").write_text("[map]\ncore = [18.5, -72.3]\n")
    shutil.copy(MAP / "metro_sections.geojson", tmp_path)
    done = _run(tmp_path, scenario)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in done.stderr and len(lines[0]) < 500
    assert not (tmp_path / "out" / "timeseries.csv").exists()
