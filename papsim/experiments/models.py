"""Model functions the engine runs: the pap-sim simulation, and the Ishigami function that checks the pipeline.

A model is a picklable callable ``model(factors, seed)`` returning a dict of scalars, or ``(dict, DataFrame)``
with daily series. Any function of that shape can be swept; these two are only the ones shipped.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from papsim.errors import InputError
from papsim.experiments.spec import Spec


@dataclass(frozen=True)
class PapSim:
    """The pap-sim model: the scenario with the factors replaced, run for ``days`` with the given seed."""

    scenario: str
    days: int | None = None
    series: bool = True

    def __call__(self, factors: dict[str, Any], seed: int):
        import papsim

        result = papsim.run(_scenario(self.scenario).replace(**factors), seed=seed, days=self.days)
        return (result.summary, result.timeseries) if self.series else result.summary


@lru_cache(maxsize=8)
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


def resolve(spec: Spec):
    """The model a spec names: a pap-sim scenario, or a callable given as 'package.module:name'."""
    if spec.scenario:
        return PapSim(spec.scenario, spec.days, series=spec.series != "none")
    if not spec.model:
        raise InputError(f"{spec.source}: key 'scenario': the spec names no model; give 'scenario' or 'model'")
    module, _, name = spec.model.partition(":")
    try:
        model = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"{spec.source}: key 'model': cannot import '{spec.model}' ({exc})") from None
    if not callable(model):
        raise InputError(f"{spec.source}: key 'model': '{spec.model}' is not callable")
    return model


ishigami = Ishigami()
