"""What every kind of report shows alike: parameters against the registry, scenarios, provenance, versions and
files."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from papsim import provenance
from papsim.errors import InputError
from papsim.outcomes import outcome_of
from papsim.present.report.detect import read_json
from papsim.present.report.page import Table, table

ALL_ROWS = 1000  # rows shown of a table of every parameter or file


@dataclass(frozen=True)
class Parameters:
    """A parameter set: the values that differ from the registry defaults (or between scenarios), and all."""

    intro: str
    heading: str
    differ: Table
    every: Table


@dataclass(frozen=True)
class ScenarioView:
    """A scenario: its name, file, description and the file's text if it is still on this machine."""

    name: str
    file: str | None
    description: str = ""
    text: str | None = None


def parameters(params: dict, intro: str = "") -> Parameters:
    """``params`` against the registry: default, unit, group and source of each, and which differ."""
    from papsim.registry import PARAMETERS

    rows = []
    for name, value in params.items():
        p = PARAMETERS.get(name)
        rows.append({"parameter": name, "value": value, "default": p.default if p else None,
                     "unit": p.unit if p else "", "group": p.group if p else "",
                     "source": p.source if p else "(not in this version's registry)",
                     "changed": p is None or value != p.default})
    all_rows = pd.DataFrame(rows, columns=["parameter", "value", "default", "unit", "group", "source", "changed"])
    changed = all_rows[all_rows["changed"]].drop(columns="changed")
    return Parameters(intro, f"Values that differ from the registry defaults ({len(changed)})",
                      table(changed, 500), table(all_rows.drop(columns="changed"), ALL_ROWS))


def parameters_between(params_of: dict[str, dict], intro: str) -> Parameters | None:
    """The parameters of several scenarios side by side, and those that differ between them."""
    if not params_of:
        return None
    labels = list(params_of)
    names = sorted(set().union(*[set(p) for p in params_of.values()]))
    every = pd.DataFrame([{"parameter": n, **{lab: params_of[lab].get(n) for lab in labels}} for n in names])
    differ = every[every[labels].astype(str).nunique(axis=1) > 1] if len(labels) > 1 else every.iloc[0:0]
    return Parameters(intro, f"Parameters that differ between scenarios ({len(differ)})", table(differ, 500),
                      table(every, ALL_ROWS))


def scenario_view(name: str, file: str | None, description: str = "") -> ScenarioView:
    """A scenario with the text of its file, if the file is on this machine."""
    text = Path(file).read_text() if file and Path(file).is_file() else None
    return ScenarioView(name, file, description, text)


def scenario_description(path: str | None) -> str:
    """The description of a scenario file ('' if there is none or it cannot be read)."""
    from papsim.scenario import load_scenario

    try:
        return load_scenario(path).description if path and Path(path).is_file() else ""
    except InputError:
        return ""


def scenario_params(path: str | None) -> dict | None:
    """The parameters of a scenario file as on disk now (None if it is not there or cannot be read)."""
    from papsim.scenario import load_scenario

    if not path or not Path(path).is_file():
        return None
    try:
        return dict(load_scenario(path).params)
    except InputError:
        return None


def files(folder: Path) -> Table:
    """Every file of the folder with its size."""
    rows = [{"file": str(p.relative_to(folder)), "bytes": p.stat().st_size}
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    return table(pd.DataFrame(rows), 200)


def flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    """Nested JSON as (dotted key, value) pairs; long lists summarised."""
    if not isinstance(data, dict):
        return [(prefix, data)]
    out = []
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out += flatten(v, key)
        else:
            out.append((key, v if not isinstance(v, list) or len(v) <= 8 else f"[{len(v)} items]"))
    return out


def factor_table(spec_raw: dict, first: str) -> pd.DataFrame:
    """The factors of a stored spec, one row each (``first`` names the first column)."""
    frame = pd.DataFrame([{first: k, **v} for k, v in spec_raw.get("factors", {}).items()])
    order = [c for c in (first, "kind", "low", "high", "values") if c in frame.columns]
    return frame[order + [c for c in frame.columns if c not in order]] if len(frame) else frame


def provenance_rows(folder: Path) -> list[tuple[str, object]]:
    """The folder's ``provenance.json`` as (dotted key, value) rows, in its order; none without the file."""
    path = folder / provenance.FILE
    return flatten(read_json(path)) if path.is_file() else []


def base_context(folder: Path, kind: str, recorded: dict[str, str] | None = None) -> dict[str, object]:
    """What the shared sections of every report read: the folder, its files, its provenance (or the versions
    it ``recorded`` elsewhere, in folders older than provenance.json) and this environment's versions."""
    rows = provenance_rows(folder)
    stale = [key.removeprefix("scenarios.").removesuffix(".calibration.status") for key, value in rows
             if key.endswith(".calibration.status") and value == "stale"]  # the scenarios on a stale calibration
    return {"kind": kind, "folder": str(folder.resolve()), "files": files(folder), "recorded": recorded,
            "provenance": rows, "stale": stale, "environment": provenance.versions(), "platform": platform.platform()}


def label_of(key: str) -> str:
    """The catalogue's label of a summary key, with when it is taken: ``trust_day365`` -> "Support for the
    mission ... (day 365)"; a key outside the catalogue as it is."""
    try:
        outcome = outcome_of(key)
    except KeyError:
        return key
    rest = key.removeprefix(outcome.name)
    when = {"_final": "end", "_total": "total"}.get(rest) or \
        (f"total to day {rest[len('_to_day'):]}" if rest.startswith("_to_day") else
         f"day {rest[len('_day'):]}" if rest.startswith("_day") else "")
    return f"{outcome.label} ({when})" if when else outcome.label
