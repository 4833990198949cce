"""Figures of a calibration (``pap-sim calibrate``): predictive bands against the record, and the posterior."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.figure import Figure

from papsim.analyses.calibration import PARAMS
from papsim.analyses.patterns import DAILY
from papsim.present.style import colour, figure, styled
from papsim.registry import PARAMETERS

TITLES = dict(zip(DAILY, ("Gang share of the territory", "Killed since 1 Jan 2024 (national equivalent)",
                          "Kidnapped since 1 Jan 2024 (national equivalent)",
                          "Displaced since 1 Jan 2024 (national equivalent)")))
MODEL, RECORD, REFERENCE = colour(0), colour(1), "#555555"


@styled
def bands_figure(bands: pd.DataFrame, observed: pd.DataFrame, start: dt.date) -> Figure:
    """Model bands (prior and posterior predictive, 5-95%) against the observed points of 2024."""
    fig = figure(11, 7.5)
    axes = fig.subplots(2, 2)
    for ax, column in zip(axes.ravel(), DAILY):
        for band, shade, alpha, label in (("prior", "#BBBBBB", 0.5, "prior predictive 5-95% (generation 0)"),
                                          ("posterior", MODEL, 0.35, "posterior predictive 5-95%")):
            part = bands[(bands["band"] == band) & (bands["column"] == column)]
            if part.empty:
                continue
            x = pd.Timestamp(start) + pd.to_timedelta(part["day"].to_numpy(), unit="D")
            ax.fill_between(x, part["p05"], part["p95"], color=shade, alpha=alpha, label=label)
            if band == "posterior":
                ax.plot(x, part["median"], color=MODEL, label="posterior median")
        points = observed[observed["column"] == column]
        centre = points["centre"].to_numpy(float)
        ax.errorbar(pd.to_datetime(points["date"]), centre,
                    yerr=[centre - points["low"].to_numpy(float), points["high"].to_numpy(float) - centre],
                    fmt="o", color=RECORD, capsize=4, ms=5, zorder=5)
        ax.set_title(TITLES[column])
    axes[0, 0].legend(loc="lower right")
    fig.suptitle("Calibration of mss_as_deployed against the 2024 record (orange: observed intervals)")
    return fig


@styled
def posterior_figure(kept: pd.DataFrame, best: pd.Series) -> Figure:
    """Weighted marginal posterior histograms of the calibrated parameters over their prior ranges."""
    fig = figure(13, 8)
    axes = fig.subplots(3, 4)
    for ax in axes.ravel()[len(PARAMS):]:
        ax.set_visible(False)
    for ax, name in zip(axes.ravel(), PARAMS):
        p = PARAMETERS[name]
        ax.hist(kept[name].astype(float), bins=15, range=(p.low, p.high), weights=kept["weight"], color=MODEL,
                alpha=0.7)
        ax.axvline(float(best[name]), color=RECORD, lw=2, label="chosen")
        ax.axvline(float(p.default), color=REFERENCE, ls="--", lw=1, label="registry default")
        ax.set_xlim(p.low, p.high)
        ax.set_title(name)
    axes[0, 0].legend()
    fig.suptitle(f"APMC posterior ({len(kept)} weighted sets; x axis = prior range)")
    return fig

