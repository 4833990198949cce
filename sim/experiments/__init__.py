"""Experiments: sweeps, global sensitivity analysis and scenario discovery, resumable, on any executor.

>>> from sim.experiments import Spec, sweep, analyze, Ishigami
>>> spec = Spec.from_dict({"name": "ishigami", "design": {"method": "sobol", "n": 256},
...                        "factors": {x: {"low": -3.1416, "high": 3.1416} for x in ("x1", "x2", "x3")}})
>>> result = sweep(spec, Ishigami(), out="results/ishigami", executor="serial")   # doctest: +SKIP
>>> analyze(result.store)                                                          # doctest: +SKIP
"""

import importlib

# name -> module; imported on first use, so that a worker unpickling a model imports only what it runs
_EXPORTS = {
    "AnalysisError": "analysis", "build_design": "design", "SweepReport": "engine", "sweep": "engine",
    "Ishigami": "models", "PapSim": "models", "Report": "report", "analyze": "report", "discover": "report",
    "Analysis": "spec", "Design": "spec", "Factor": "spec", "Spec": "spec", "load_spec": "spec", "Store": "store",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
    module = importlib.import_module(f"sim.experiments.{_EXPORTS[name]}")
    return getattr(module, "build" if name == "build_design" else name)
