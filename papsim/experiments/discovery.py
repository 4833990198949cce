"""Scenario discovery: under which factor ranges does a run meet a success criterion?

PRIM from EMA Workbench is used as a library on the store's table of factors and outputs. Each box is
taken from its peeling trajectory as the one of highest coverage (share of all successes it holds) among
those of density (share of its runs that succeed) at least ``threshold``. Boxes are found on part of
the runs and checked on the others, with quasi-p-values for each restriction, so an overfitted box shows.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from papsim.errors import InputError
from papsim.experiments.analysis import AnalysisError, success
from papsim.experiments.design import sampler_seed
from papsim.experiments.store import Store


@dataclass(frozen=True)
class Boxes:
    """PRIM's result: restricted ranges per box, each box's statistics and all peeling trajectories.

    ``stats`` gives each box's coverage, density and mass on the runs used to find it and, with a
    hold-out, on the runs kept aside (``_holdout`` columns): a box that is much less dense on those is
    overfitted. ``limits`` has the quasi-p-value of each restricted side (Bryant and Lempert 2010: the
    chance that a box that restricted were as dense by luck; large: the restriction is not supported).
    ``met`` of ``runs`` successful runs meet the expression (0 or all: no box to find, a result)."""

    expression: str
    limits: pd.DataFrame  # box, factor, low, high, qp_low, qp_high
    stats: pd.DataFrame  # box, coverage, density, mass, res_dim, runs, and the same on the hold-out
    trajectory: pd.DataFrame  # box, step, coverage, density, mass, res_dim, chosen
    met: int = 0
    runs: int = 0

    @property
    def summary(self) -> str:
        """One line: in how many runs the expression holds, and how many boxes were found."""
        found = f"{len(self.stats)} box(es)" if len(self.stats) else "no box to find"
        return f"'{self.expression}' holds in {self.met} of {self.runs} runs; {found}"


LIMIT_COLUMNS = ["box", "factor", "low", "high", "qp_low", "qp_high"]
STAT_COLUMNS = ["box", "coverage", "density", "mass", "res_dim", "runs",
                "coverage_holdout", "density_holdout", "mass_holdout", "runs_holdout"]
TRAJECTORY_COLUMNS = ["box", "step", "coverage", "density", "mass", "res_dim", "chosen"]


def prim(store: Store, expression: str, threshold: float = 0.8, max_boxes: int = 3,
         mass_min: float = 0.05, peel_alpha: float = 0.05, holdout: float = 0.5) -> Boxes:
    """Find up to ``max_boxes`` boxes of the factor space where runs meet ``expression``.

    A share ``holdout`` of the runs (drawn with the spec's seed) is kept aside to check each box on runs
    not used to find it; 0 uses every run to find the boxes and gives no check."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis.prim import Prim
    except ImportError:
        raise InputError("discover: EMA Workbench is not installed (pip install 'pap-sim[discovery]')") from None
    if not 0 < threshold <= 1:
        raise InputError(f"--threshold: {threshold} is not a density in (0, 1]")
    if not 0 <= holdout < 1:
        raise InputError(f"--holdout: {holdout} is not a share in [0, 1)")
    spec = store.spec()
    runs = store.runs()
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    if ok.empty:
        raise AnalysisError(f"{store.path}: no successful run to analyse")
    y = success(ok, expression).to_numpy()
    empty = Boxes(expression, pd.DataFrame(columns=LIMIT_COLUMNS), pd.DataFrame(columns=STAT_COLUMNS),
                  pd.DataFrame(columns=TRAJECTORY_COLUMNS), int(y.sum()), len(y))
    if y.all() or not y.any():
        return empty
    # float columns: EMA Workbench's pasting writes midpoints into integer columns, a TypeError in pandas 3
    x = ok[spec.factor_names].astype(float)
    rng = np.random.default_rng(sampler_seed(spec))
    check = rng.random(len(y)) < holdout if holdout else np.zeros(len(y), bool)
    if y[~check].all() or not y[~check].any():
        check[:] = False  # too few runs to split: find on all of them
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        algorithm = Prim(x[~check].reset_index(drop=True), y[~check], peel_alpha=peel_alpha, mass_min=mass_min)
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
            qp = box.p_values[chosen] if chosen < len(box.p_values) else {}
            inside = np.ones(int(check.sum()), bool)
            for factor in spec.factor_names:
                low, high = box.box_lim[factor]
                full_low, full_high = algorithm.box_init[factor]
                if (low, high) != (full_low, full_high):
                    q = [math.nan if v is None or v < 0 else float(v) for v in qp.get(factor, (-1, -1))]
                    limits.append({"box": number, "factor": factor, "low": float(low), "high": float(high),
                                   "qp_low": q[0], "qp_high": q[1]})
                    values = x.loc[check, factor].to_numpy()
                    inside &= (values >= low) & (values <= high)
            stats.append({"box": number, "coverage": box.coverage, "density": box.density, "mass": box.mass,
                          "res_dim": box.res_dim, "runs": int(len(box.yi))} | _holdout(y[check], inside))
    return Boxes(
        expression,
        pd.DataFrame(limits, columns=LIMIT_COLUMNS),
        pd.DataFrame(stats, columns=STAT_COLUMNS),
        pd.concat(trajectories, ignore_index=True)[TRAJECTORY_COLUMNS] if trajectories
        else pd.DataFrame(columns=TRAJECTORY_COLUMNS),
        int(y.sum()), len(y),
    )


def _holdout(y: np.ndarray, inside: np.ndarray) -> dict[str, float]:
    """A box's coverage, density and mass on the runs kept aside (NaN without a hold-out)."""
    if not len(y):
        return {"coverage_holdout": math.nan, "density_holdout": math.nan, "mass_holdout": math.nan,
                "runs_holdout": 0}
    return {"coverage_holdout": float(y[inside].sum() / y.sum()) if y.any() else math.nan,
            "density_holdout": float(y[inside].mean()) if inside.any() else math.nan,
            "mass_holdout": float(inside.mean()), "runs_holdout": int(inside.sum())}


def bounds(store: Store) -> dict[str, tuple[float, float]]:
    """Each factor's full range in the spec (for drawing boxes to scale)."""
    return {f.name: (f.low, f.high) for f in store.spec().factors}


def table(boxes: Boxes) -> pd.DataFrame:
    """One spreadsheet row per restricted factor of each box, with the box's statistics."""
    merged = boxes.limits.merge(boxes.stats, on="box", how="right")
    merged.insert(0, "success", boxes.expression)
    return merged.replace({np.nan: None})
