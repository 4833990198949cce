"""Predictive bands of a calibration: the daily series of the prior's and the posterior's runs against the
record's points, in national-equivalent units (area figures divided by the set's area share)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from papsim.analyses.apmc import Posterior
from papsim.analyses.patterns import DAILY, DRAWN_ON, MEASURED, PATTERNS, SHARE, row
from papsim.experiments.models import PARAMETER_SET
from papsim.experiments.store import Store

NATIONAL = np.array([column != "gang_territory_share" for column in DAILY])  # scaled to national figures
DRAWS = 400  # posterior predictive: runs of this many sets drawn by weight (at most 20 per kept set)


def _series_by_set(out: Path, generations: list[int]) -> dict[tuple[int, int], list[np.ndarray]]:
    """Daily series of every run, by (generation, parameter set): arrays of shape (columns, days)."""
    found: dict[tuple[int, int], list[np.ndarray]] = {}
    for g in generations:
        store = Store(out / f"gen-{g:02d}")
        series = store.series(list(DAILY))
        if series.empty:
            continue
        runs = store.runs(columns=["run_id", PARAMETER_SET, "status"])
        wide = series.pivot_table(index=["run_id", "day"], columns="variable", values="value")
        set_of = runs.set_index("run_id")[PARAMETER_SET]
        for run_id, block in wide.groupby(level=0):
            found.setdefault((g, int(set_of[run_id])), []).append(block[list(DAILY)].to_numpy().T)
    return found


def bands(out: Path, post: Posterior, seed: int) -> pd.DataFrame:
    """Per daily column and day, the 5th, 50th and 95th percentiles of the prior predictive (every run of
    generation 0) and of the posterior predictive (runs of kept sets drawn by weight with ``seed``)."""
    gens = sorted(int(g) for g in post.particles["generation"].unique())
    series = _series_by_set(out, gens)
    share = post.particles.set_index(["generation", "particle"])[SHARE]

    def scaled(key: tuple[int, int]) -> list[np.ndarray]:
        s = float(share[key])
        return [np.where(NATIONAL[:, None], a / s, a) for a in series.get(key, [])]

    prior = [a for key in series if key[0] == 0 for a in scaled(key)]
    rng = np.random.default_rng(seed)
    keys = list(zip(post.kept["generation"].astype(int), post.kept["particle"].astype(int)))
    draws = rng.choice(len(keys), size=min(DRAWS, 20 * len(keys)), p=post.kept["weight"].to_numpy())
    posterior = [a for i in draws for a in scaled(keys[i])]
    frames = []
    for band, arrays in (("prior", prior), ("posterior", posterior)):
        if not arrays:
            continue
        for k, column in enumerate(DAILY):
            arr = np.array([a[k] for a in arrays])
            frames.append(pd.DataFrame({"band": band, "column": column, "day": np.arange(arr.shape[1]),
                                        "p05": np.percentile(arr, 5, axis=0), "median": np.median(arr, axis=0),
                                        "p95": np.percentile(arr, 95, axis=0)}))
    return pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame(columns=["band", "column", "day", "p05", "median", "p95"])


def observed(bands_table: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """The record's points on the daily columns (national units): each pattern at the end of its period; an
    increment over a period is drawn from the posterior median at the period's opening."""
    by_stat = {p.statistic: p for p in PATTERNS}
    posterior = bands_table[bands_table["band"] == "posterior"].set_index(["column", "day"])["median"]
    rows = []
    for stat, (column, opens, closes) in MEASURED.items():
        drawn = DRAWN_ON.get(column, column)
        base = 0.0 if opens is None else float(posterior.get((drawn, row(start, opens)), 0.0))
        pat = by_stat[stat]
        rows.append({"pattern": pat.name, "column": drawn, "date": closes, "centre": base + pat.centre,
                     "low": base + pat.low, "high": base + pat.high})
    return pd.DataFrame(rows)
