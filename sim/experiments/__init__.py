"""Experiments: sweeps, global sensitivity analysis and scenario discovery, resumable, on any executor.

>>> from sim.experiments import Spec, sweep, analyze, Ishigami
>>> spec = Spec.from_dict({"name": "ishigami", "design": {"method": "sobol", "n": 256},
...                        "factors": {x: {"low": -3.1416, "high": 3.1416} for x in ("x1", "x2", "x3")}})
>>> result = sweep(spec, Ishigami(), out="results/ishigami", executor="serial")   # doctest: +SKIP
>>> analyze(result.store)                                                          # doctest: +SKIP
"""

from sim.experiments.analysis import AnalysisError
from sim.experiments.design import build as build_design
from sim.experiments.engine import SweepReport, sweep
from sim.experiments.models import Ishigami, PapSim
from sim.experiments.report import Report, analyze, discover
from sim.experiments.spec import Analysis, Design, Factor, Spec, load_spec
from sim.experiments.store import Store

__all__ = [
    "Analysis", "AnalysisError", "Design", "Factor", "Ishigami", "PapSim", "Report", "Spec", "Store",
    "SweepReport", "analyze", "build_design", "discover", "load_spec", "sweep",
]
