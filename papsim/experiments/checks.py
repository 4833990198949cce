"""Checks of a spec before any run: the file readable as UTF-8 TOML, its scenario loadable, output and
series names resolved against the model, sizes bounded, and analyses the design cannot support (errors)
or supports poorly (warnings).

Output names may say ``_horizon`` (``gang_population_share_horizon``, ``deaths_civilian_to_horizon``): they
become the run summary's key at the spec's ``days``, so a spec does not break when ``days`` changes. A
name at a fixed day beyond the horizon (``_day365`` with ``days = 180``) cannot exist and is an error.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papsim.errors import InputError
from papsim.experiments import criteria, limits
from papsim.experiments.worker import RESERVED
from papsim.outcomes import BY_NAME, HORIZONS, SERIES_NAMES, outcome_of

if TYPE_CHECKING:
    import pandas as pd

    from papsim.experiments.spec import Analysis, Design, Factor, Spec

RBD_FAST_M = 10  # RBD-FAST harmonics (SALib's default); it needs more than 2 M points


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's tables; a file that cannot be read, is not UTF-8 text or not TOML is one InputError line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except OSError as exc:  # unreadable, a folder, a symlink loop
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                         f"a {what} is a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None


def check_scenario(path: str, fail: Callable[[str], InputError] | None = None) -> int | None:
    """The days of the scenario a spec runs. With ``fail``, a scenario that does not load is an error
    (every run would fail on it); without, the days are None (a store whose scenario has moved)."""
    from papsim.scenario import load_scenario

    try:
        return load_scenario(path).days
    except (OSError, RuntimeError, InputError) as exc:  # RuntimeError: a symlink loop in Python 3.12
        if fail is None:
            return None
        if isinstance(exc, FileNotFoundError) or not Path(path).exists():
            raise fail(f"scenario file {path} does not exist") from None
        raise fail(f"the scenario does not load: {exc}") from None


def check_series(series: str | list[str], registry_model: bool, fail: Callable[[str], InputError]
                 ) -> str | tuple[str, ...]:
    """The daily series to keep; for the pap-sim model every named column must be one of its series (a
    column it lacks would fail every run). Other models' columns are known only once they run."""
    if isinstance(series, str):
        return series
    unknown = [s for s in series if s not in SERIES_NAMES]
    if registry_model and unknown:
        raise fail(f"'{unknown[0]}' is not a daily series of the pap-sim model (see docs/outcomes)")
    return tuple(series)


# ---------------------------------------------------------------- outputs at the horizon
_HORIZON_NAME = re.compile(r"^(?P<stem>\w+?)_(?P<day>horizon|day\d+)$")


def resolve_output(name: str, days: int | None, registry_model: bool, fail) -> str:
    """The summary key an output name means: ``X_horizon`` (or ``X_to_horizon`` for a flow) becomes
    ``X_dayD`` / ``X_to_dayD`` at a summary horizon D = ``days``, else ``X_final`` / ``X_total`` (the
    value at the end, which is the horizon); ``X_dayH`` beyond ``days`` cannot exist and is an error."""
    match = _HORIZON_NAME.match(name)
    if not match:
        if registry_model:
            try:
                outcome_of(name)
            except KeyError:
                raise fail(f"'{name}' is not an output of the pap-sim model (see docs/outcomes)") from None
        return name
    stem, day = match["stem"], match["day"]
    flow = stem.endswith("_to")
    base = stem.removesuffix("_to")
    if day == "horizon":
        if days is None:
            raise fail(f"'{name}' needs the horizon: give 'days'")
        if registry_model and base not in BY_NAME:
            raise fail(f"'{name}': '{base}' is not a series of the pap-sim model")
        if registry_model:
            flow = BY_NAME[base].aggregate == "flow"
        at = days in {h for h, _ in HORIZONS} or not registry_model
        if at:
            return f"{base}_to_day{days}" if flow else f"{base}_day{days}"
        return f"{base}_total" if flow else f"{base}_final"
    h = int(day[3:])
    if days is not None and h > days:
        raise fail(f"'{name}' cannot exist: the runs last days = {days}; use '{stem}_horizon' "
                   "for the value at the end")
    if registry_model:
        if h not in {d for d, _ in HORIZONS}:
            raise fail(f"'{name}': summaries hold days {', '.join(str(d) for d, _ in HORIZONS)} only; "
                       f"use '{stem}_horizon' for the value at the end")
        try:
            outcome_of(name)
        except KeyError:
            raise fail(f"'{name}' is not an output of the pap-sim model (see docs/outcomes)") from None
    return name


def resolve_expression(expr: str, days: int | None, registry_model: bool, factor_names: list[str], fail) -> str:
    """A success criterion with its horizon names resolved; one that does not parse (see
    :mod:`papsim.experiments.criteria`) or names an unknown output (pap-sim model) is an error."""
    def one(name: str) -> str:
        return name if name in factor_names else resolve_output(name, days, registry_model, fail)
    try:
        return criteria.rename(expr, one, where="criterion")
    except criteria.CriterionError as exc:
        raise fail(str(exc).removeprefix("criterion: ")) from None


def check_declared_outputs(spec: Spec, declared: tuple[str, ...] | None) -> None:
    """The spec's outputs of interest and the names in its success criteria must be outputs the model
    declares (or factors); a model that declares none is checked after its runs (``unknown_outputs``)."""
    if declared is None:
        return
    named = [(f"outputs[{i}]", name) for i, name in enumerate(spec.outputs)]
    named += [(f"analysis.success[{i}]", t.text) for i, e in enumerate(spec.analysis.success)
              for t in criteria.names(e, where=f"analysis.success[{i}]")]
    for key, name in named:
        if name not in declared and name not in spec.factor_names:
            raise InputError(f"{spec.source}: key '{key}': '{name}' is not an output of the model "
                             f"(its outputs: {', '.join(declared)})")


def unknown_outputs(spec: Spec, runs: pd.DataFrame) -> list[str]:
    """One line per output of interest that no successful run gave (checked after the runs, for a model
    other than pap-sim, whose output names are only known once it has run; none without a successful run)."""
    ok = runs[runs["status"] == "ok"]
    given = [c for c in ok.columns if c not in RESERVED and c not in spec.factor_names and ok[c].notna().any()]
    return [f"{spec.source}: key 'outputs': '{name}' is not an output of the model (its outputs: "
            f"{', '.join(sorted(given)) or 'none'})" for name in spec.outputs if len(ok) and name not in given]


def design_points(design: Design, factors: tuple[Factor, ...]) -> int:
    """How many design points (before replicates) a design has."""
    d = len({f.group or f.name for f in factors})
    if design.method == "grid":
        return math.prod(len(f.values) for f in factors)
    if design.method == "random":
        return design.n
    if design.method == "morris":
        return design.n * (len(factors) + 1)
    if design.method == "sobol":
        return design.n * (2 * d + 2 if design.second_order else d + 2) * design.scrambles
    return design.n * len(factors)


def support_warnings(design: Design, factors: tuple[Factor, ...], analysis: Analysis, replicates: int,
                      fail) -> list[str]:
    """Analyses the design cannot support are errors; ones it supports poorly are warnings."""
    points, out = design_points(design, factors), []
    if points * replicates > limits.MAX_RUNS:
        raise fail("replicates" if replicates > 1 else "design", f"the design has {points:,} points x {replicates:,} "
                   f"replicates = {points * replicates:,} runs; at most {limits.MAX_RUNS:,}")
    if "pawn" in analysis.methods and points < 2 * analysis.pawn_slices:
        raise fail("analysis.methods", f"PAWN with {analysis.pawn_slices} slices needs at least "
                                       f"{2 * analysis.pawn_slices} design points (the design has {points})")
    if "rbd_fast" in analysis.methods and points <= 2 * RBD_FAST_M:
        raise fail("analysis.methods", f"RBD-FAST needs more than {2 * RBD_FAST_M} design points "
                                       f"(the design has {points})")
    if "delta" in analysis.methods and points < 20:
        raise fail("analysis.methods", f"delta needs at least 20 design points (the design has {points})")
    if design.method == "grid" and set(analysis.methods) & {"delta", "rbd_fast"}:
        out.append("analysis.methods: delta and RBD-FAST on a grid read each factor at a few levels only; "
                   "a random design suits them better")
    if any(m in analysis.methods for m in ("sobol", "efast")) and replicates == 1:
        out.append("replicates = 1: the model's own noise cannot be measured, so no noise floor is given "
                   "for the indices")
    return out
