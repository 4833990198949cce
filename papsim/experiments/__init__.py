"""Experiments: sweeps, global sensitivity analysis and scenario discovery, resumable, on any executor.

>>> from papsim.experiments import Spec, sweep, Ishigami
>>> from papsim.present.experiment_files import analyze
>>> spec = Spec.from_dict({"name": "ishigami", "design": {"method": "sobol", "n": 256},
...                        "factors": {x: {"low": -3.1416, "high": 3.1416} for x in ("x1", "x2", "x3")}})
>>> result = sweep(spec, Ishigami(), out="results/ishigami", executor="serial")   # doctest: +SKIP
>>> analyze(result.store)                                                          # doctest: +SKIP
"""

import importlib

# name -> module; imported on first use, so that a worker unpickling a model imports only what it runs
_EXPORTS = {
    "AnalysisError": "analysis", "build_design": "design", "SweepReport": "engine", "sweep": "engine",
    "GFunction": "analytic", "Ishigami": "models", "PapSim": "models",
    "Analysis": "spec", "Design": "spec", "Factor": "spec", "Spec": "spec", "load_spec": "spec", "Store": "store",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'papsim.experiments' has no attribute {name!r}")
    module = importlib.import_module(f"papsim.experiments.{_EXPORTS[name]}")
    return getattr(module, "build" if name == "build_design" else name)
