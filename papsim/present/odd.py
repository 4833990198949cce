"""Generated parts of docs/ODD.md: the parameter tables (from the registry) and the outputs (from the catalogue
and the events log's columns).

The sections between ``<!-- params:start -->`` and ``<!-- params:end -->`` (and ``<!-- outputs:start -->`` /
``<!-- outputs:end -->``) are written by this module, never by hand, so they cannot drift from the code:
every registry parameter with its default, the value ``scenarios/calibrated.toml`` gives it (if any), unit,
range, group and source. A test checks that the committed file equals what the generator produces.

    pap-sim docs            # rewrite the generated sections of docs/ODD.md
    pap-sim docs --check    # exit 1 if they are out of date
    python -m papsim.present.odd      # the same as 'pap-sim docs'
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from papsim.errors import InputError
from papsim.events import COLUMNS as EVENT_COLUMNS
from papsim.outcomes import INDICATORS, SERIES, summary_key
from papsim.registry import PARAMETERS, Parameter
from papsim.scenario import SCENARIO_DIR

ODD = Path(__file__).resolve().parent.parent.parent / "docs" / "ODD.md"
CALIBRATED = SCENARIO_DIR / "calibrated.toml"
MARKERS = {"params": ("<!-- params:start -->", "<!-- params:end -->"),
           "outputs": ("<!-- outputs:start -->", "<!-- outputs:end -->")}
GROUP_TITLES = {
    "map": "Map", "gangs": "Armed groups", "economy": "Gang economy", "policy": "Policy and posture levers",
    "recruitment": "Recruitment", "combat": "Combat and arrests", "population": "Population",
    "hnp": "Haitian National Police", "mss": "MSS / GSF", "forces": "Security units", "funding": "Funding",
    "trust": "Trust", "vigilantes": "Vigilantes (self-defence brigades)", "retaliation": "Retaliation",
    "phases": "Mission phases and indicators",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(p: Parameter, value: object) -> str:
    if value is None or value == "":
        return ""
    if p.kind == "bool":
        return "true" if value else "false"
    if p.kind == "choice":
        return f"`{value}`"
    if p.kind == "int":
        return f"{int(value):,}"
    v = float(value)
    if v.is_integer() and abs(v) < 1e12:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _range(p: Parameter) -> str:
    if p.kind == "choice":
        return ", ".join(f"`{c}`" for c in p.choices)
    if p.kind == "bool":
        return "true / false"
    return f"[{p.low:g}, {p.high:g}]"


def calibrated_values(path: Path = CALIBRATED) -> dict[str, object]:
    """The [parameters] of the calibrated scenario file (empty if there is none)."""
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return dict(tomllib.load(fh).get("parameters", {}))


def render_parameter_tables(calibrated: dict[str, object] | None = None) -> str:
    """The registry as markdown tables, one per group, in registry order."""
    calibrated = calibrated_values() if calibrated is None else calibrated
    groups: dict[str, list[Parameter]] = {}
    for p in PARAMETERS.values():
        groups.setdefault(p.group, []).append(p)
    lines = [f"{len(PARAMETERS)} parameters in {len(groups)} groups; generated from `papsim/registry.py` and "
             "`scenarios/calibrated.toml` by `pap-sim docs` (do not edit by hand). *Calibrated*: the value "
             "`scenarios/calibrated.toml` gives the parameter, which every scenario inherits through "
             "`baseline.toml` unless it sets its own. Marks: [V] the source says it; [S] secondary; [NV] not "
             "verified; [D] derived; \"assumption\": ours.", ""]
    for group, params in groups.items():
        lines += [f"#### {GROUP_TITLES.get(group, group.capitalize())} (`{group}`)", "",
                  "| parameter | default | calibrated | unit | range | description | source |",
                  "|---|---|---|---|---|---|---|"]
        for p in params:
            lines.append("| " + " | ".join([
                f"`{p.name}`", _value(p, p.default), _value(p, calibrated.get(p.name)), f"`{_cell(p.unit)}`",
                _range(p), _cell(p.description), _cell(p.source)]) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_output_table() -> str:
    """The catalogue (papsim/outcomes.py) as markdown: the daily series, then the indicators of a run."""
    lines = [f"{len(SERIES)} daily outputs and {len(INDICATORS)} indicators derived once per run, generated from "
             "`papsim/outcomes.py` by `pap-sim docs`. A series is summarised as its value at the end "
             "(`<name>_final`, a state) or its total from the start (`<name>_total`, a flow); *kind* says how "
             "reports show it (share as a percentage, money in USD, days \"never\" for a milestone not reached).",
             "", "| output | unit | kind | summary key | description |", "|---|---|---|---|---|"]
    for o in SERIES:
        lines.append(f"| `{o.name}` | {_cell(o.unit)} | {o.kind} | `{summary_key(o.name)}` | {_cell(o.label)} |")
    lines += ["", "| indicator | unit | kind | description |", "|---|---|---|---|"]
    for o in INDICATORS:
        lines.append(f"| `{o.name}` | {_cell(o.unit) or '–'} | {o.kind} | {_cell(o.label)} |")
    lines += ["", f"The events log of a run (`events.parquet`, `papsim/events.py`): one row per operation, "
              f"execution, gang attack, drone strike and vigilante killing, {len(EVENT_COLUMNS)} columns.", "",
              "| column | unit | description |", "|---|---|---|"]
    for c in EVENT_COLUMNS:
        lines.append(f"| `{c.name}` | {_cell(c.unit)} | {_cell(c.label)} |")
    return "\n".join(lines) + "\n"


def _replace(text: str, key: str, body: str, where: str) -> str:
    start, end = MARKERS[key]
    i, j = text.find(start), text.find(end)
    if i < 0 or j < 0 or j < i:
        raise InputError(f"{where}: the markers {start} ... {end} are missing or out of order")
    return text[: i + len(start)] + "\n" + body + text[j:]


def render(text: str, where: str = str(ODD)) -> str:
    """``text`` with every generated section replaced by what the generator produces now."""
    text = _replace(text, "params", render_parameter_tables(), where)
    if MARKERS["outputs"][0] in text:
        text = _replace(text, "outputs", render_output_table(), where)
    return text


def update(path: Path = ODD) -> bool:
    """Rewrite the generated sections of ``path``; returns True if the file changed."""
    if not path.is_file():
        raise InputError(f"{path}: not found")
    old = path.read_text()
    new = render(old, str(path))
    if new != old:
        path.write_text(new)
    return new != old
