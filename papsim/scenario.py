"""Scenario files: TOML in, a validated, immutable :class:`Scenario` out.

A scenario names its start date and horizon, overrides registry parameters, and lists the dated MSS
arrivals and funding pledges. ``extends`` inherits another scenario file. Every problem is reported as
one :class:`~papsim.errors.InputError` line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field, replace as dc_replace
from pathlib import Path
from typing import Any

from papsim.errors import InputError
from papsim.library import SCENARIOS
from papsim.registry import PARAMETERS, Parameter, defaults

SCENARIO_DIR = SCENARIOS  # the scenario library and the map, found through importlib.resources (papsim.library)
BASELINE = SCENARIO_DIR / "baseline.toml"
_SCENARIO_KEYS = {"name", "description", "start_date", "days", "map", "extends"}
_TABLES = {"scenario", "parameters", "mss_arrivals", "pledges"}


@dataclass(frozen=True)
class Arrival:
    """Cumulative MSS personnel in theatre from a date on."""

    date: dt.date
    personnel: int
    source: str


@dataclass(frozen=True)
class Pledge:
    """Money pledged to the mission on a date (it arrives after the disbursement delay)."""

    date: dt.date
    amount_usd: float
    source: str


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: every registry parameter has a value within its range."""

    name: str
    path: Path | None
    description: str
    start_date: dt.date
    days: int
    map_path: Path
    params: dict[str, Any] = field(repr=False)
    arrivals: tuple[Arrival, ...] = ()
    pledges: tuple[Pledge, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    def replace(self, **changes: Any) -> "Scenario":
        """A copy with registry parameters (or ``days``/``start_date``/``name``) changed, validated."""
        where = f"{self.name} (replace)"
        meta = {k: changes.pop(k) for k in ("days", "start_date", "name") if k in changes}
        params = dict(self.params)
        for key, value in changes.items():
            params[key] = validate_value(where, "", key, value)
        out = dc_replace(self, params=params, **meta)
        if "days" in meta:
            _check_days(where, out.days)
        if "start_date" in meta:
            _check_start(where, out.start_date)
        if "name" in meta:
            _check_text(where, out.name, out.description)
        return out

    def day_of(self, date: dt.date) -> int:
        """Simulation day of a calendar date (day 0 is the start date)."""
        return (date - self.start_date).days


def validate_value(where: str, table: str, key: str, value: Any) -> Any:
    """Check one parameter against the registry; return it with the registry's type."""
    label = f"{table}{key}"
    spec: Parameter | None = PARAMETERS.get(key)
    if spec is None:
        raise InputError(f"{where}: unknown parameter '{label}' (see 'pap-sim params' for the list)")
    bad = f"{where}: {label} = {value!r} is not allowed; expected {spec.allowed}"
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise InputError(bad)
        return value
    if spec.kind == "choice":
        if value not in spec.choices:
            raise InputError(bad)
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(bad)
    if spec.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise InputError(bad)
        value = int(value)
    else:
        value = float(value)
    if math.isnan(value) or not (spec.low <= value <= spec.high):
        raise InputError(bad)
    return value


EARLIEST_START, LATEST_START = dt.date(1990, 1, 1), dt.date(2100, 12, 31)  # the horizon's end must be a date
MAX_NAME, MAX_DESCRIPTION = 100, 2000  # characters: names become folder names and figure titles


def _check_start(where: str, start: Any) -> None:
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime) or not EARLIEST_START <= start <= LATEST_START:
        raise InputError(f"{where}: scenario.start_date = {start!r} is not allowed; expected a date in "
                         f"[{EARLIEST_START}, {LATEST_START}] like 2024-01-01")


def _check_text(where: str, name: Any, description: Any) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        raise InputError(f"{where}: scenario.name must be a string of 1 to {MAX_NAME} characters")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise InputError(f"{where}: scenario.description must be a string of at most {MAX_DESCRIPTION} characters")


def _check_days(where: str, days: Any) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise InputError(f"{where}: [scenario] days = {days!r} is not allowed; expected an int in [1, 3650]")


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: scenario file not found")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None


def _entries(where: str, raw: Any, table: str, fields: dict[str, type]) -> list[dict[str, Any]]:
    """Validate an array of tables such as [[pledges]]: every entry has exactly the given fields."""
    if not isinstance(raw, list):
        raise InputError(f"{where}: [[{table}]] must be an array of tables")
    out = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise InputError(f"{where}: [[{table}]] entry {i + 1} must be a table")
        for key in entry:
            if key not in fields:
                raise InputError(f"{where}: unknown key '{table}[{i + 1}].{key}'; allowed: {', '.join(fields)}")
        for key, typ in fields.items():
            value = entry.get(key)
            ok = isinstance(value, typ) and not isinstance(value, bool)
            if typ is float:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
            if typ is int:
                ok = ok and value >= 0
            if not ok:
                raise InputError(f"{where}: {table}[{i + 1}].{key} = {value!r} is not allowed; "
                                 f"expected a non-negative {typ.__name__}" if typ in (int, float)
                                 else f"{where}: {table}[{i + 1}].{key} must be a {typ.__name__}")
        out.append(entry)
    return out


def library_names() -> list[str]:
    """The names of the scenarios in the library, sorted."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_scenario(text: str | Path) -> Path:
    """A scenario given as a file path, or as the name of a scenario in the library (with or without .toml)."""
    path = Path(text)
    if path.is_file():
        return path.resolve()
    for candidate in (SCENARIO_DIR / f"{text}.toml", SCENARIO_DIR / str(text)):
        if candidate.is_file() and candidate.parent == SCENARIO_DIR:
            return candidate.resolve()
    if path.suffix == ".toml" or len(path.parts) > 1:
        raise InputError(f"{path}: scenario file not found")
    raise InputError(f"scenario '{text}' is neither a file nor a name in the library "
                     f"({', '.join(library_names())}; 'pap-sim library' lists them)")


def load_scenario(path: str | Path = BASELINE) -> Scenario:
    """Read, validate and return a scenario file (following ``extends``)."""
    return _load(Path(path).resolve(), seen=())


def _load(path: Path, seen: tuple[Path, ...]) -> Scenario:
    where = str(path)
    if path in seen:
        raise InputError(f"{where}: [scenario] extends forms a cycle")
    raw = _read_toml(path)
    for table in raw:
        if table not in _TABLES:
            raise InputError(f"{where}: unknown table or key '{table}'; allowed: {', '.join(sorted(_TABLES))}")
    meta = raw.get("scenario", {})
    if not isinstance(meta, dict):
        raise InputError(f"{where}: [scenario] must be a table")
    for key in meta:
        if key not in _SCENARIO_KEYS:
            raise InputError(f"{where}: unknown key 'scenario.{key}'; allowed: {', '.join(sorted(_SCENARIO_KEYS))}")
    if "extends" in meta:
        if not isinstance(meta["extends"], str):
            raise InputError(f"{where}: scenario.extends must be a file name")
        base = _load((path.parent / meta["extends"]).resolve(), seen + (path,))
    else:
        base = None
    params = dict(base.params) if base else defaults()
    table = raw.get("parameters", {})
    if not isinstance(table, dict):
        raise InputError(f"{where}: [parameters] must be a table")
    for key, value in table.items():
        params[key] = validate_value(where, "parameters.", key, value)

    start = meta.get("start_date", base.start_date if base else None)
    _check_start(where, start)
    days = meta.get("days", base.days if base else 365)
    _check_days(where, days)
    map_name = meta.get("map")
    if map_name is None:
        map_path = base.map_path if base else SCENARIO_DIR / "map" / "city.toml"
    elif isinstance(map_name, str):
        map_path = (path.parent / map_name).resolve()
    else:
        raise InputError(f"{where}: scenario.map must be a file name")
    if not map_path.is_file():
        raise InputError(f"{where}: scenario.map = '{map_path}' not found")

    if "mss_arrivals" in raw:
        arrivals = tuple(Arrival(e["date"], e["personnel"], e["source"]) for e in
                         _entries(where, raw["mss_arrivals"], "mss_arrivals",
                                  {"date": dt.date, "personnel": int, "source": str}))
    else:
        arrivals = base.arrivals if base else ()
    if "pledges" in raw:
        pledges = tuple(Pledge(e["date"], float(e["amount_usd"]), e["source"]) for e in
                        _entries(where, raw["pledges"], "pledges",
                                 {"date": dt.date, "amount_usd": float, "source": str}))
    else:
        pledges = base.pledges if base else ()
    if list(arrivals) != sorted(arrivals, key=lambda a: a.date):
        raise InputError(f"{where}: [[mss_arrivals]] must be in date order")
    name = meta.get("name", path.stem)
    description = meta.get("description", base.description if base else "")
    _check_text(where, name, description)
    return Scenario(name=name, path=path, description=description, start_date=start, days=days,
                    map_path=map_path, params=params, arrivals=arrivals, pledges=pledges)
