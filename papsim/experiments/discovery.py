"""Scenario discovery: under which factor ranges does a run meet a success criterion?

PRIM from EMA Workbench is used as a library on the store's table of factors and outputs. Each box is
taken from its peeling trajectory as the one of highest coverage (share of all successes it holds) among
those of density (share of its runs that succeed) at least ``threshold``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from papsim.errors import InputError
from papsim.experiments.analysis import AnalysisError, success
from papsim.experiments.store import Store


@dataclass(frozen=True)
class Boxes:
    """PRIM's result: restricted ranges per box, each box's statistics and all peeling trajectories."""

    expression: str
    limits: pd.DataFrame  # box, factor, low, high
    stats: pd.DataFrame  # box, coverage, density, mass, res_dim, runs
    trajectory: pd.DataFrame  # box, step, coverage, density, mass, res_dim, chosen


def prim(store: Store, expression: str, threshold: float = 0.8, max_boxes: int = 3,
         mass_min: float = 0.05, peel_alpha: float = 0.05) -> Boxes:
    """Find up to ``max_boxes`` boxes of the factor space where runs meet ``expression``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis.prim import Prim
    except ImportError:
        raise InputError("discover: EMA Workbench is not installed (pip install 'pap-sim[discovery]')") from None
    if not 0 < threshold <= 1:
        raise InputError(f"--threshold: {threshold} is not a density in (0, 1]")
    spec = store.spec()
    runs = store.runs()
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    if ok.empty:
        raise AnalysisError(f"{store.path}: no successful run to analyse")
    y = success(ok, expression).to_numpy()
    if y.all() or not y.any():
        raise AnalysisError(f"'{expression}' holds in {int(y.sum())} of {len(y)} runs; PRIM needs both outcomes")
    x = ok[spec.factor_names]
    logging.getLogger("EMA").setLevel(logging.WARNING)
    algorithm = Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
    limits, stats, trajectories = [], [], []
    for number in range(1, max_boxes + 1):
        box = algorithm.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory.reset_index(drop=True)
        good = traj[traj["density"] >= threshold]
        if good.empty and number > 1:
            break
        chosen = int(good["coverage"].idxmax() if not good.empty else traj["density"].idxmax())
        box.select(chosen)
        trajectories.append(traj.assign(box=number, step=traj.index, chosen=traj.index == chosen))
        stats.append({"box": number, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                      "res_dim": box.res_dim, "runs": int(len(box.yi))})
        for factor in spec.factor_names:
            low, high = box.box_lim[factor]
            full_low, full_high = algorithm.box_init[factor]
            if (low, high) != (full_low, full_high):
                limits.append({"box": number, "factor": factor, "low": float(low), "high": float(high)})
    columns = ["box", "step", "coverage", "density", "mass", "res_dim", "chosen"]
    return Boxes(
        expression,
        pd.DataFrame(limits, columns=["box", "factor", "low", "high"]),
        pd.DataFrame(stats, columns=["box", "coverage", "density", "mass", "res_dim", "runs"]),
        pd.concat(trajectories, ignore_index=True)[columns] if trajectories else pd.DataFrame(columns=columns),
    )


def bounds(store: Store) -> dict[str, tuple[float, float]]:
    """Each factor's full range in the spec (for drawing boxes to scale)."""
    return {f.name: (f.low, f.high) for f in store.spec().factors}


def table(boxes: Boxes) -> pd.DataFrame:
    """One spreadsheet row per restricted factor of each box, with the box's statistics."""
    merged = boxes.limits.merge(boxes.stats, on="box", how="right")
    merged.insert(0, "success", boxes.expression)
    return merged.replace({np.nan: None})
