"""Time-series figures: one run's panels, scenario comparisons with bands over runs, and end-of-run intervals.

Panel titles, axis units and smoothing come from the catalogue (``papsim/outcomes.py``): shares on [0, 1]
as percentages, money in dollars, flows (counts per day) as 7-day means. Bands are the 50% (dark) and 90%
(light) ranges over runs around the median; each scenario has its own line style as well as its own colour.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from papsim.outcomes import FLOW_SERIES, outcome_of
from papsim.present import format as fmt
from papsim.present.style import colour, figure, linestyle, save, styled
from papsim.runner import Result

# The panels of one run's figure and of comparisons, by catalogue name (labels and units are the catalogue's).
MAIN_SERIES: tuple[str, ...] = ("gang_population_share", "gang_territory_share", "deaths_civilian", "displaced_total",
                                "trust", "mss_personnel", "humanitarian_access", "funds_balance")
SMOOTHING_DAYS = 7
CUMULATIVE = "_cum"  # a series summed from the start (as ``pap-sim compare`` stores civilians killed)

# An outcome to draw: a name (the catalogue labels it) or (name, label).
Outcomes = Sequence[str | tuple[str, str | None]]


def smoothed(name: str) -> bool:
    """Flows (counts per day) are drawn as 7-day means; states as they are."""
    return name in FLOW_SERIES


def panel_title(name: str, given: str | None = None, width: int = 42) -> str:
    """A panel title: ``given``, else the catalogue's label (flows marked as 7-day means); wrapped."""
    if not given:
        stem = name.removesuffix(CUMULATIVE)
        try:
            given = outcome_of(stem).label + (" (cumulative)" if stem != name else "")
        except KeyError:
            given = name.replace("_", " ")
        given += f" ({SMOOTHING_DAYS}-day mean)" if smoothed(name) else ""
    return textwrap.fill(given, width)


def format_axis(axis: Axis, name: str) -> None:
    """Tick labels of ``axis`` in the unit of outcome ``name`` (a catalogue name, summary key or column)."""
    kind = fmt.kind_of(name)
    if kind == "share":
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:  # ticks of days and category codes fall between whole numbers: counts keep their decimal
        axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.value(v, "money" if kind == "money" else "count")))


def set_limits(ax: Axes, name: str, values: np.ndarray) -> None:
    """Shares on [0, 1]; outcomes that are never negative from 0."""
    v = values[np.isfinite(values)]
    if fmt.kind_of(name) == "share":
        ax.set_ylim(0, 1)
    elif len(v) and v.min() >= 0:
        ax.set_ylim(0, float(v.max()) * 1.05 if v.max() > 0 else 1.0)


def smooth(values: pd.Series) -> pd.Series:
    """The trailing mean over the last 7 days (fewer at the start)."""
    return values.rolling(SMOOTHING_DAYS, min_periods=1).mean()


def _values(table: pd.DataFrame, name: str) -> pd.Series:
    return smooth(table[name]) if smoothed(name) else table[name]


def _pairs(outcomes: Outcomes) -> list[tuple[str, str | None]]:
    return [(o, None) if isinstance(o, str) else o for o in outcomes]


def _panel_grid(fig: Figure, n: int, ncols: int) -> np.ndarray:
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


@styled
def series_figure(ts: pd.DataFrame, title: str = "", outcomes: Outcomes = MAIN_SERIES, ncols: int = 4) -> Figure:
    """A panel per outcome of one run's time series (a ``timeseries.csv`` table), against the date."""
    outcomes = _pairs(outcomes)
    nrows = math.ceil(len(outcomes) / ncols)
    fig = figure(3.4 * ncols, 2.3 * nrows + 0.4)
    x = pd.to_datetime(ts["date"]) if "date" in ts else ts["day"]
    for ax, (name, given) in zip(_panel_grid(fig, len(outcomes), ncols), outcomes):
        values = _values(ts, name)
        ax.plot(x, values, color=colour(0))
        ax.set_title(panel_title(name, given))
        set_limits(ax, name, values.to_numpy(dtype=float))
        format_axis(ax.yaxis, name)
        if "date" in ts:
            locator = AutoDateLocator(minticks=3, maxticks=6)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if title:
        fig.suptitle(title)
    return fig


def timeseries_panels(result: Result, path: str | Path) -> Path:
    """A panel per main outcome over the run, saved to ``path``."""
    return save(series_figure(result.timeseries, f"{result.scenario.name}, seed {result.seed}"), path)


def series_table(results: Mapping[str, Sequence[Result]]) -> pd.DataFrame:
    """One table of the daily series of several scenarios' runs: ``scenario``, ``seed``, ``day``, outcomes."""
    parts = [r.timeseries.assign(scenario=name, seed=r.seed) for name, runs in results.items() for r in runs]
    if not parts:
        raise ValueError("series_table: no runs given")
    return pd.concat(parts, ignore_index=True)


def store_series_table(store, by: Sequence[str],
                       label: Callable[[dict[str, float]], str] | None = None) -> pd.DataFrame:
    """The daily series held in an experiment store, one label per combination of the factors ``by``.

    ``label`` (a function of a dict of factor values) names each group; the default joins ``factor = value``.
    """
    series = store.series()
    if series.empty:
        raise ValueError(f"{store.path}: the store holds no daily series (spec series = 'none')")
    wide = series.pivot_table(index=["run_id", "day"], columns="variable", values="value").reset_index()
    wide = wide.merge(store.design()[["run_id", "seed", *by]], on="run_id")

    def group_name(values: dict[str, float]) -> str:
        return label(values) if label else ", ".join(f"{k} = {fmt.value(v)}" for k, v in values.items())

    keys = wide[list(by)].drop_duplicates().sort_values(list(by))
    names = {tuple(k): group_name(dict(k)) for _, k in keys.iterrows()}
    wide["scenario"] = [names[tuple(r)] for r in wide[list(by)].itertuples(index=False)]
    order = list(dict.fromkeys(names.values()))
    wide["scenario"] = pd.Categorical(wide["scenario"], categories=order, ordered=True)
    return wide.sort_values(["scenario", "run_id", "day"]).rename(columns={"run_id": "run"})


def bands(table: pd.DataFrame, name: str, group: str = "scenario") -> pd.DataFrame:
    """Median and the 50% and 90% ranges over runs of an outcome per day and group (flows smoothed)."""
    run_col = "run" if "run" in table else "seed"
    t = table[[group, run_col, "day", name]].copy()
    if smoothed(name):
        t[name] = t.groupby([group, run_col], observed=True)[name].transform(smooth)
    q = t.groupby([group, "day"], observed=True)[name].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    q.columns = ["p05", "p25", "median", "p75", "p95"]
    return q.reset_index()


def _groups(column: pd.Series) -> list:
    return list(column.cat.categories if hasattr(column, "cat") else dict.fromkeys(column))


@styled
def comparison_figure(table: pd.DataFrame, outcomes: Outcomes = MAIN_SERIES, title: str = "",
                      group: str = "scenario", ncols: int = 4) -> Figure:
    """Scenario comparison: per outcome, each scenario's median line with its 50% and 90% bands over runs.

    ``table`` is long in runs and days: a ``group`` column (the scenario), ``seed`` or ``run``, ``day`` and
    the outcomes (see :func:`series_table` and :func:`store_series_table`).
    """
    outcomes = _pairs(outcomes)
    groups = _groups(table[group])
    nrows = math.ceil(len(outcomes) / ncols)
    fig = figure(3.4 * ncols, 2.3 * nrows + 0.9)
    axes = _panel_grid(fig, len(outcomes), ncols)
    run_col = "run" if "run" in table else "seed"
    n_runs = table.groupby(group, observed=True)[run_col].nunique()
    for ax, (name, given) in zip(axes, outcomes):
        b = bands(table, name, group)
        for i, g in enumerate(groups):
            part = b[b[group] == g]
            ax.fill_between(part["day"], part["p05"], part["p95"], color=colour(i), alpha=0.12, linewidth=0)
            ax.fill_between(part["day"], part["p25"], part["p75"], color=colour(i), alpha=0.3, linewidth=0)
            ax.plot(part["day"], part["median"], color=colour(i), linestyle=linestyle(i))
        ax.set_title(panel_title(name, given))
        set_limits(ax, name, b[["p05", "p95"]].to_numpy(dtype=float).ravel())
        format_axis(ax.yaxis, name)
    for ax in axes[-ncols:]:
        ax.set_xlabel("day")
    handles = [Line2D([], [], color=colour(i), linestyle=linestyle(i)) for i in range(len(groups))]
    labels = [f"{g} ({n_runs.get(g, 0)} runs)" for g in groups]
    handles += [Patch(facecolor="#777777", alpha=0.45), Patch(facecolor="#777777", alpha=0.15)]
    labels += ["50% of runs", "90% of runs"]
    fig.legend(handles, labels, loc="outside lower center", frameon=False,
               ncol=max(1, min(len(labels), 4, int(fig.get_figwidth() / 2.9))))
    fig.suptitle(title or "Median over runs with 50% and 90% bands")
    return fig


def comparison_panels(table: pd.DataFrame, path: str | Path, outcomes: Outcomes = MAIN_SERIES,
                      title: str = "", group: str = "scenario") -> Path:
    """:func:`comparison_figure` saved to ``path``."""
    return save(comparison_figure(table, outcomes, title, group), path)


@styled
def outcome_intervals_figure(summaries: pd.DataFrame, outcomes: Sequence[str], group: str = "scenario",
                             title: str = "") -> Figure:
    """Per scenario and outcome (a column of run summaries), the median with its 50% and 90% ranges."""
    groups = list(dict.fromkeys(summaries[group]))
    fig = figure(3.0 * len(outcomes), 0.45 * len(groups) + 1.3)
    axes = fig.subplots(1, len(outcomes), sharey=True, squeeze=False)[0]
    pos = np.arange(len(groups))[::-1]
    for ax, name in zip(axes, outcomes):
        for i, (g, y) in enumerate(zip(groups, pos)):
            v = summaries.loc[summaries[group] == g, name].dropna().to_numpy(dtype=float)
            if not len(v):
                continue
            p05, p25, p50, p75, p95 = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
            ax.plot([p05, p95], [y, y], color=colour(i), linewidth=1.0)
            ax.plot([p25, p75], [y, y], color=colour(i), linewidth=4.0, solid_capstyle="butt")
            ax.plot([p50], [y], marker="o", color="black", markersize=4)
        ax.set_title(panel_title(name, width=32))
        format_axis(ax.xaxis, name)
        ax.tick_params(axis="x", rotation=20)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(pos, groups)
    fig.suptitle(title or "Median (dot), 50% (thick) and 90% (thin) of runs")
    return fig

