"""What kind of results folder a path is, told from its files, and reading its JSON and CSV files.

- **run** (``pap-sim run``): ``timeseries.csv`` and ``summary.json``;
- **comparison**: a ``pap-sim compare`` store (``tables/compare.csv``), or a folder of run folders;
- **sweep** or **sensitivity** (``pap-sim sweep`` / ``sensitivity``): an experiment store, ``manifest.json``
  and ``spec.json`` (sensitivity when the spec asks for Morris, Sobol', eFAST or PAWN indices);
- **calibration**: a ``pap-sim calibrate`` store (``tables/posterior_summary.csv``), or loose files named
  ``calibration*`` or ``posterior*``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from papsim.errors import InputError

KINDS = ("run", "comparison", "sweep", "sensitivity", "calibration")
SENSITIVITY_METHODS = ("morris", "sobol", "efast", "pawn")


def is_run(path: Path) -> bool:
    """A ``pap-sim run`` folder."""
    return (path / "timeseries.csv").is_file() and (path / "summary.json").is_file()


def run_dirs(path: Path) -> list[Path]:
    """The run folders directly under ``path``."""
    return sorted(p for p in path.iterdir() if p.is_dir() and is_run(p))


def calibration_files(path: Path) -> list[Path]:
    """Files named calibration* or posterior* in the folder or its tables/."""
    places = [path] + ([path / "tables"] if (path / "tables").is_dir() else [])
    return sorted(p for d in places for p in d.iterdir() if p.is_file() and
                  any(w in p.name.lower() for w in ("calibration", "posterior")))


def store_kind(path: Path) -> str | None:
    """The kind of an experiment store (``pap-sim sweep``, ``sensitivity``, ``compare``, ``calibrate``), or None."""
    if not ((path / "manifest.json").is_file() and (path / "spec.json").is_file()):
        return None
    manifest, spec = read_json(path / "manifest.json"), read_json(path / "spec.json")
    model, name = str(spec.get("model") or ""), str(spec.get("name", ""))
    # stores written before the one model wrapper name their model by module (sim.compare, papsim.analyses...)
    if name == "compare" or ".compare:" in model or (path / "tables" / "compare.csv").is_file():
        return "comparison"
    if (name.startswith("calibration-gen") or ".calibration:" in model
            or str(manifest.get("kind", "")).lower() == "calibration"
            or (path / "tables" / "posterior_summary.csv").is_file()):
        return "calibration"
    if design_method(spec) in ("morris", "sobol", "efast") or \
            any(m in SENSITIVITY_METHODS for m in spec.get("analysis", {}).get("methods", [])):
        return "sensitivity"
    return "sweep"


def design_method(spec: dict) -> str:
    """The design method of a stored spec (``grid`` when it names none)."""
    return str(spec.get("design", {}).get("method", "grid"))


def detect(path: str | Path) -> str:
    """The kind of results folder ``path`` is (one of :data:`KINDS`); InputError if none.

    Experiment stores (manifest.json and spec.json) are told apart by the model and tables they hold:
    ``pap-sim compare`` and ``pap-sim calibrate`` write stores too. A folder of ``pap-sim run`` folders is a
    comparison; loose ``calibration*``/``posterior*`` files a calibration."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: no such results folder")
    kind = store_kind(path)
    if kind:
        return kind
    if (path / "tables" / "posterior_summary.csv").is_file():
        return "calibration"
    if is_run(path):
        return "run"
    if calibration_files(path):
        return "calibration"
    if run_dirs(path):
        return "comparison"
    raise InputError(f"{path}: not a results folder: expected a run (timeseries.csv and summary.json), "
                     "folders of runs, an experiment store (manifest.json and spec.json) or calibration files")


def read_json(path: Path) -> dict:
    """A JSON object from ``path``; InputError if it is not one."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV table from ``path``; InputError if it cannot be read."""
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from None
