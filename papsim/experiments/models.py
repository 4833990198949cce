"""Model functions the engine runs: the pap-sim simulation, and the Ishigami function that checks the pipeline.

A model is a picklable callable ``model(factors, seed)`` returning a dict of scalars, or ``(dict, DataFrame)``
with daily series. Any function of that shape can be swept; these two are only the ones shipped.

:class:`PapSim` is the one wrapper of the simulation: plain sweeps, ``pap-sim compare`` and ``pap-sim
calibrate`` all run it, each passing its choices (scenarios, parameter sets, a :class:`View`) as data.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from papsim.errors import InputError
from papsim.experiments.analytic import GFunction
from papsim.experiments.checks import check_declared_outputs
from papsim.experiments.spec import Spec
from papsim.indicators import full_cost, killed
from papsim.outcomes import FLOW_SERIES

SCENARIO_INDEX = "scenario_index"  # the factor that picks one of the wrapper's scenarios
PARAMETER_SET = "parameter_set"  # the factor that picks one of its parameter sets
CUMULATIVE = "_cum"  # a daily column '<flow>_cum' is the running total of the flow '<flow>'

# Daily columns derived from the record: name -> (function of the series and the parameters, is a flow).
DERIVED: dict[str, tuple[Callable[[pd.DataFrame, Mapping[str, Any]], pd.Series], bool]] = {
    "killed": (lambda ts, params: killed(ts), True),
    "cost_full_usd": (lambda ts, params: pd.Series(full_cost(ts, float(params["cost_per_person_month_usd"])),
                                                    index=ts.index), False),
}


def _is_flow(name: str) -> bool:
    return name in FLOW_SERIES or (name in DERIVED and DERIVED[name][1])


def daily_column(ts: pd.DataFrame, params: Mapping[str, Any], name: str) -> pd.Series:
    """A daily column by name: a recorded series, a derived one (:data:`DERIVED`) or ``<flow>_cum``."""
    base = name.removesuffix(CUMULATIVE)
    if name.endswith(CUMULATIVE) and _is_flow(base):
        return daily_column(ts, params, base).cumsum()
    if name in DERIVED:
        return DERIVED[name][0](ts, params)
    return ts[name]


@dataclass(frozen=True)
class View:
    """What a run hands the engine besides its summary: values of daily columns at chosen days (``at``, as
    (column, day) pairs) and the daily columns to store (``daily``), so an analysis states what it needs as
    data. A value at a day is the state on that day, or a flow's total over days 1..day (as the summary's
    horizons); it is named ``<column>_day<day>``, or ``<column>_to_day<day>`` for a flow."""

    daily: tuple[str, ...] = ()
    at: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def key(name: str, day: int) -> str:
        """The output name of column ``name`` at ``day``."""
        return f"{name}_to_day{day}" if _is_flow(name) else f"{name}_day{day}"

    def outputs(self, ts: pd.DataFrame, params: Mapping[str, Any]) -> dict[str, float]:
        """The values at days of one run."""
        out: dict[str, float] = {}
        for name, day in self.at:
            values = daily_column(ts, params, name)
            out[self.key(name, day)] = float(values.iloc[1:day + 1].sum() if _is_flow(name) else values.iloc[day])
        return out

    def frame(self, ts: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
        """The daily columns of one run, with its ``day``."""
        return pd.DataFrame({"day": ts["day"], **{name: daily_column(ts, params, name) for name in self.daily}})


@dataclass(frozen=True)
class PapSim:
    """The pap-sim model: a scenario with parameters overridden, run for ``days`` (default: the scenario's).

    Factor ``scenario_index`` picks one of ``scenarios`` (default the first), ``parameter_set`` one of
    ``parameter_sets`` (``(name, value)`` pairs), and any other factor sets the registry parameter of its
    name. Returns the run's summary and, with ``series``, its daily series: every series, or with a
    ``view`` the view's daily columns (the view's values at days are added to the summary).
    """

    scenarios: str | os.PathLike | tuple[str, ...]
    days: int | None = None
    series: bool = True
    parameter_sets: tuple[tuple[tuple[str, float], ...], ...] = ()
    view: View | None = None

    def __post_init__(self) -> None:
        one = isinstance(self.scenarios, (str, os.PathLike))
        object.__setattr__(self, "scenarios", tuple(map(str, (self.scenarios,) if one else self.scenarios)))

    def __call__(self, factors: dict[str, Any], seed: int):
        import papsim

        overrides = dict(factors)
        scenario = _scenario(self.scenarios[int(overrides.pop(SCENARIO_INDEX, 0))])
        if PARAMETER_SET in overrides:
            overrides = {**dict(self.parameter_sets[int(overrides.pop(PARAMETER_SET))]), **overrides}
        result = papsim.run(scenario.replace(**overrides), seed=seed, days=self.days)
        if self.view is None:
            return (result.summary, result.timeseries) if self.series else result.summary
        ts, params = result.timeseries, result.scenario.params
        summary = {**result.summary, **self.view.outputs(ts, params)}
        return (summary, self.view.frame(ts, params)) if self.series else summary


@lru_cache(maxsize=64)
def _scenario(path: str):
    """Each worker parses a scenario file once, not once per run."""
    import papsim

    return papsim.load_scenario(path)


@dataclass(frozen=True)
class Ishigami:
    """Ishigami's function of x1, x2, x3 on [-pi, pi]^3, with optional Gaussian noise of sd ``noise``.

    Its Sobol' indices are known exactly (``analytic``), so a sweep and analysis of it checks the pipeline.
    """

    a: float = 7.0
    b: float = 0.1
    noise: float = 0.0
    outputs: ClassVar[tuple[str, ...]] = ("y",)  # what it returns, so a spec's output names are checked before any run

    def __call__(self, factors: dict[str, float], seed: int) -> dict[str, float]:
        x1, x2, x3 = factors["x1"], factors["x2"], factors["x3"]
        y = math.sin(x1) + self.a * math.sin(x2) ** 2 + self.b * x3**4 * math.sin(x1)
        if self.noise:
            y += self.noise * np.random.default_rng(seed).standard_normal()
        return {"y": y}

    def analytic(self) -> dict[str, dict[str, float]]:
        """Analytic S1 and ST of x1, x2, x3 (without noise)."""
        a, b, pi = self.a, self.b, math.pi
        v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
        v2 = a**2 / 8
        v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
        var = v1 + v2 + v13
        return {"S1": {"x1": v1 / var, "x2": v2 / var, "x3": 0.0},
                "ST": {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var}}


ISHIGAMI_FACTORS = {name: {"low": -math.pi, "high": math.pi} for name in ("x1", "x2", "x3")}
WRAPPER = "papsim.experiments.models:PapSim"  # how specs of comparisons and calibrations name the model
# Names of the model in older stores' specs (package ``sim``; the comparison's and the calibration's own
# wrappers, since replaced by PapSim) -> the model now.
LEGACY_MODELS = {f"{package}.{module}:{name}": WRAPPER
                 for package in ("sim", "sim.analyses", "papsim.analyses")
                 for module, name in (("compare", "ComparisonModel"), ("calibration", "ParticleModel"))}


def import_model(path: str) -> Any:
    """The object an import path ``package.module:name`` names, older stores' names included (the package
    was ``sim``; see :data:`LEGACY_MODELS`). Raises ImportError or AttributeError. It imports anything:
    only :func:`resolve` decides which models a spec may name."""
    path = LEGACY_MODELS.get(path, path)
    if path.startswith("sim."):
        path = "papsim." + path.removeprefix("sim.")
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


ENTRY_POINTS = "papsim.models"  # the entry-point group through which other packages register models


def registered_models() -> dict[str, Any]:
    """The models a spec may name: :data:`MODELS` (and their import paths), then the ``papsim.models``
    entry points of installed packages (loaded only when a spec names one)."""
    from importlib.metadata import entry_points

    found: dict[str, Any] = {**MODELS, **{f"{__name__}:{key}": m for key, m in MODELS.items()}}
    for point in entry_points(group=ENTRY_POINTS):
        found.setdefault(point.name, point)
    return found


def resolve(spec: Spec):
    """The model a spec names: a pap-sim scenario, or a registered model (:data:`MODELS` or an entry point
    of the ``papsim.models`` group); no other callable is imported. A model that declares its ``outputs``
    has the spec's output names and success criteria checked against them here, before any run."""
    if spec.scenario:
        return PapSim(spec.scenario, spec.days, series=spec.series != "none")
    if not spec.model:
        raise InputError(f"{spec.source}: key 'scenario': the spec names no model; give 'scenario' or 'model'")
    if spec.model == WRAPPER or LEGACY_MODELS.get(spec.model) == WRAPPER:
        raise InputError(f"{spec.source}: key 'model': '{spec.model}' is the pap-sim model of a comparison or a "
                         "calibration, whose scenarios the spec does not hold; rerun it with pap-sim compare or "
                         "pap-sim calibrate, or give 'scenario'")
    models = registered_models()
    name = "papsim." + spec.model.removeprefix("sim.") if spec.model.startswith("sim.") else spec.model
    if name not in models:
        shown = spec.model if len(spec.model) <= 40 else spec.model[:40] + "…"
        raise InputError(f"{spec.source}: key 'model': {shown!r} is not a registered model (pap-sim cannot import "
                         f"any other callable); registered: {', '.join(sorted(MODELS))}, or a package's "
                         f"'{ENTRY_POINTS}' entry point; or give 'scenario'")
    model = models[name]
    if hasattr(model, "load") and hasattr(model, "group"):  # an entry point: import only the one named
        try:
            model = model.load()
        except (ImportError, AttributeError) as exc:
            raise InputError(f"{spec.source}: key 'model': cannot import the entry point {name!r} ({exc})") from None
    if not callable(model):
        raise InputError(f"{spec.source}: key 'model': {name!r} is not callable")
    check_declared_outputs(spec, getattr(model, "outputs", None))
    return model


ishigami = Ishigami()
g_function = GFunction((("x1", 0.0), ("x2", 1.0), ("x3", 4.5), ("x4", 9.0), ("x5", 99.0), ("x6", 99.0),
                        ("x7", 99.0), ("x8", 99.0)))  # Saltelli et al.'s eight-factor G-function
# The models a spec's 'model' may name (besides 'scenario', the pap-sim model, and the 'papsim.models'
# entry points); each also by its import path, e.g. "papsim.experiments.models:ishigami".
MODELS: dict[str, Any] = {"ishigami": ishigami, "g_function": g_function}
