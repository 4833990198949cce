"""Figures of a scenario comparison (``pap-sim compare``), drawn from its tables in the house style."""

from __future__ import annotations

import datetime as dt
import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from papsim.analyses.compare import AT_END, PER_PERSON_FREED, SCENARIO_INDEX, end_label
from papsim.outcomes import BY_NAME, HORIZONS
from papsim.present.format import value
from papsim.present.style import colour, figure, styled

MODEL, REFERENCE = colour(0), "#555555"


def _dates(start: dt.date, days: np.ndarray) -> pd.DatetimeIndex:
    return pd.Timestamp(start) + pd.to_timedelta(days, unit="D")


@styled
def bands_figure(bands: pd.DataFrame, names: list[str], start: dt.date, reference: int) -> Figure:
    """Residents under gang control over time: median and 90% band per scenario, the reference's median dashed."""
    n = len(names)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig = figure(3.4 * cols, 2.6 * rows)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    ref = bands[bands[SCENARIO_INDEX] == reference]
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            ax.set_visible(False)
            continue
        mine = bands[bands[SCENARIO_INDEX] == i]
        if len(mine):
            x = _dates(start, mine["day"].to_numpy())
            ax.fill_between(x, mine["p05"], mine["p95"], color=MODEL, alpha=0.3)
            ax.plot(x, mine["median"], color=MODEL, lw=1.5)
            if len(ref) and i != reference:
                ax.plot(_dates(start, ref["day"].to_numpy()), ref["median"], color=REFERENCE, ls="--", lw=1)
        ax.set_title(names[i])
        ax.set_ylim(0, 1)
        ax.tick_params(axis="x", labelrotation=45)
    fig.suptitle(f"Residents under gang control: median and 90% of replicates (dashed: {names[reference]} median)")
    return fig


def _panels(days: int) -> list[tuple[str, str]]:
    """(outcome, horizon) of the outcomes figure: three at the last horizon within the run, three at the end."""
    end = end_label(days)
    horizon = dict(HORIZONS).get(max((d for d, _ in HORIZONS if d <= days), default=None))
    if horizon is None:
        return [(stem, end) for stem in AT_END[:6]]
    return [("gang_population_share", horizon), ("deaths_civilian", horizon), ("displaced_total", horizon),
            ("cost_full_usd", end), ("cost_per_person_freed_vs_reference_usd", end),
            ("key_sites_closed_days_total", end)]


@styled
def outcomes_figure(table: pd.DataFrame, names: list[str], days: int) -> Figure:
    """Medians and 90% intervals of the main outcomes, one panel per outcome; a median that is not a number
    is written out ('none freed', 'never', or 'n/a' for the reference against itself)."""
    fig = figure(13, 2.0 + 0.64 * len(names))
    axes = fig.subplots(2, 3)
    y = np.arange(len(names))
    for ax, (stem, horizon) in zip(axes.ravel(), _panels(days)):
        part = table[(table["outcome"] == stem) & (table["horizon"] == horizon)].set_index("scenario").reindex(names)
        med, lo, hi = (part[c].to_numpy(float) for c in ("median", "p05", "p95"))
        finite = np.isfinite(med)
        lo_f = np.where(np.isfinite(lo), lo, med)
        hi_f = np.where(np.isfinite(hi), hi, med)  # an open upper end ('never', 'none freed') is drawn as no bar
        ax.errorbar(med[finite], y[finite], xerr=[np.clip(med[finite] - lo_f[finite], 0, None),
                                                  np.clip(hi_f[finite] - med[finite], 0, None)],
                    fmt="o", color=MODEL, capsize=3, ms=4)
        for yi in y[~finite]:
            ax.text(0.02, yi, missing(med[yi], stem), transform=ax.get_yaxis_transform(), va="center", fontsize=7)
        ax.set_yticks(y, names if ax in axes[:, 0] else [""] * len(names))
        ax.invert_yaxis()
        outcome = BY_NAME[stem]
        ax.set_title(f"{textwrap.fill(outcome.label, 48, break_on_hyphens=False)}\n{horizon}")
        ax.xaxis.set_major_formatter(lambda v, _, kind=outcome.kind: value(v, kind))
    fig.suptitle("Median and 90% interval over replicates")
    return fig


def missing(v: float, stem: str) -> str:
    """What a value that is not a number means: no runs (or not defined), never reached, or none freed."""
    if math.isnan(v):
        return "n/a"
    return "none freed" if stem in PER_PERSON_FREED else "never"
