"""Figures: control maps (still and animated), time-series panels and scenario comparisons.

One style for every figure: the Okabe-Ito palette (safe for the common forms of colour blindness), and
nothing that relies on colour alone, so a figure printed in greyscale still reads:

- map: the state's cells light grey, each gang coalition its own colour and lightness, contested cells
  hatched, borders between groups in thin white, communes outlined in dark grey; key sites are yellow
  markers with a shape per kind; units are small black (static protection) or white (patrols, holds and
  operations) circles (HNP) or diamonds (MSS);
- lines: each scenario has its own line style as well as its own colour; bands are the 50% (dark) and 90%
  (light) ranges over seeds around the median.

Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot, no global state, no display needed)
at a fixed size and resolution, so a figure's pixel size is ``figsize * DPI``. Every ``*_figure`` function
returns the figure; the functions that take a ``path`` save it there and return the path.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, PercentFormatter

from papsim.citymap import CityMap
from papsim.runner import Result
from papsim.snapshot import Frame, frame

# --- style ------------------------------------------------------------------------------------------
DPI = 120
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)), (0, (3, 1, 3, 3)))
STYLE = {
    "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "legend.fontsize": 7, "xtick.labelsize": 7,
    "ytick.labelsize": 7, "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "grid.linewidth": 0.5, "lines.linewidth": 1.4, "hatch.linewidth": 0.6,
}

# --- map symbols ------------------------------------------------------------------------------------
SEA_COLOUR = "#EAF3FA"  # the bay: palest blue, near white in greyscale
STATE_COLOUR = "#D0D0D0"  # light grey: between the bay (lightest) and the gangs in greyscale
FAMILY_COLOURS = {"G9": "#D55E00", "G-Pep": "#0072B2", "independent": "#CC79A7"}  # dark, darker, lighter in grey
OTHER_FAMILY_COLOUR = "#E69F00"
SITE_COLOUR = "#F0E442"
SITE_MARKERS = {"airport": "^", "port": "v", "fuel_terminal": "p", "hospital": "P", "palace": "*",
                "prison": "X", "intersection": "h"}
FORCE_MARKERS = {"HNP": "o", "MSS": "D"}
STATIC_ROLES = ("static",)
DYNAMIC_ROLES = ("patrol", "hold", "operation")
CONTESTED_HATCH = "xxxx"

MAIN_SERIES = (("gang_population_share", "Residents under gang control"),
               ("gang_territory_share", "Cells under gang control"),
               ("deaths_civilian", "Civilians killed per day (7-day mean)"),
               ("displaced_total", "Displaced people"),
               ("trust", "Trust in the mission"),
               ("mss_personnel", "MSS personnel"),
               ("humanitarian_access", "Humanitarian access"),
               ("funds_balance", "Mission funds in hand (USD)"))
SMOOTHED = ("deaths_civilian", "deaths_civilian_operations", "kidnappings", "deaths_gang", "deaths_hnp",
            "deaths_mss", "arrests", "operations", "cells_cleared", "gang_attacks")
SHARES = ("gang_population_share", "gang_territory_share", "trust", "humanitarian_access", "schools_open_share",
          "secure_population_share", "mss_readiness")


def _fig(width: float, height: float) -> Figure:
    """A figure in the house style (constrained layout keeps titles and legends inside)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    return path


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (for notebooks and the report)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _styled(func):
    """Draw under the house style without touching the caller's matplotlib settings."""
    import functools

    import matplotlib

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


# --- map state ----------------------------------------------------------------------------------------
def record_frames(scenario, seed: int, days: int, at: Iterable[int] = (), every: int | None = None) -> list[Frame]:
    """Run ``scenario`` with ``seed`` for ``days`` and keep the map state at the days ``at`` and every
    ``every`` days (day 0 and the last day included when ``every`` is given).

    A run is fully determined by its scenario, seed and length, so these frames are those of
    ``papsim.run(scenario, seed, days)``.
    """
    from papsim.model import PortAuPrince

    wanted = {int(d) for d in at}
    if every:
        wanted |= set(range(0, days + 1, every)) | {0, days}
    model = PortAuPrince(scenario, rng=seed, days=days)
    frames = [frame(model)] if 0 in wanted else []
    for _ in range(days):
        model.step()
        if model.day in wanted:
            frames.append(frame(model))
    return frames


def _families(city: CityMap) -> list[str]:
    known = list(FAMILY_COLOURS)
    extra = sorted({g.family for g in city.gangs} - set(known))
    return known + extra


def _family_colour(family: str) -> str:
    return FAMILY_COLOURS.get(family, OTHER_FAMILY_COLOUR)


def control_image(city: CityMap, controller: np.ndarray) -> tuple[np.ndarray, ListedColormap]:
    """Integer image (height, width) for ``imshow``: 0 outside, 1 state, 2+ gang family; and its colour map."""
    families = _families(city)
    family_of = np.array([families.index(g.family) for g in city.gangs])
    img = np.where(controller >= 0, 2 + family_of[np.maximum(controller, 0)], 1)
    img = np.where(city.land, img, 0)
    cmap = ListedColormap([SEA_COLOUR, STATE_COLOUR, *[_family_colour(f) for f in families]])
    return img.T, cmap


def _edges(labels: np.ndarray, mask: np.ndarray | None = None) -> list[list[tuple[float, float]]]:
    """Segments (in imshow coordinates) between neighbouring cells with different labels.

    ``labels`` has the grid's (width, height) shape; ``mask`` (same shape) keeps only edges touching it.
    """
    segs = []
    keep = np.ones(labels.shape, bool) if mask is None else mask
    dx = (labels[1:, :] != labels[:-1, :]) & (keep[1:, :] | keep[:-1, :])
    for x, y in zip(*np.nonzero(dx)):
        segs.append([(x + 0.5, y - 0.5), (x + 0.5, y + 0.5)])
    dy = (labels[:, 1:] != labels[:, :-1]) & (keep[:, 1:] | keep[:, :-1])
    for x, y in zip(*np.nonzero(dy)):
        segs.append([(x - 0.5, y + 0.5), (x + 0.5, y + 0.5)])
    return segs


def draw_map(ax, city: CityMap, state: Frame, title: str = "", labels: bool = True) -> None:
    """Draw one control map on ``ax``: control, contested cells, communes, key sites and units."""
    img, cmap = control_image(city, state.controller)
    ax.imshow(img, origin="lower", cmap=cmap, vmin=0, vmax=len(cmap.colors) - 1, interpolation="nearest")
    # borders between armed groups (thin white), communes (dark grey) and the coast (black)
    groups = np.where(city.land, state.controller, -2)
    ax.add_collection(LineCollection(_edges(groups, state.controller >= 0), colors="white", linewidths=0.5))
    ax.add_collection(LineCollection(_edges(np.where(city.land, city.commune, -1), city.land),
                                     colors="#333333", linewidths=0.9))
    if state.contested.any():
        xs, ys = np.nonzero(state.contested & city.land)
        # one compound path of all contested cells, hatched once (a patch per cell is several times slower)
        corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
        verts = (np.column_stack([xs, ys])[:, None, :] + corners[None, :, :]).reshape(-1, 2)
        codes = np.tile([MplPath.MOVETO, MplPath.LINETO, MplPath.LINETO, MplPath.LINETO, MplPath.CLOSEPOLY], len(xs))
        ax.add_patch(PathPatch(MplPath(verts, codes), facecolor="none", edgecolor="#222222", linewidth=0.0,
                               hatch=CONTESTED_HATCH))
    if labels:
        for i, name in enumerate(city.commune_names):
            xs, ys = np.nonzero(city.commune == i)
            if len(xs):
                ax.text(xs.mean(), ys.mean(), name, fontsize=6, ha="center", va="center", color="#111111",
                        path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    if len(state.units):
        _draw_units(ax, state.units)
    sx, sy = np.divmod(city.site_cells, city.height)
    for kind, marker in SITE_MARKERS.items():
        sel = np.array([k == kind for k in city.site_kinds])
        if sel.any():
            ax.scatter(sx[sel], sy[sel], marker=marker, s=55, facecolor=SITE_COLOUR, edgecolor="black",
                       linewidth=0.8, zorder=5)
    ax.set_xlim(-0.5, city.width - 0.5)
    ax.set_ylim(-0.5, city.height - 0.5)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.5)


def _draw_units(ax, units: pd.DataFrame) -> None:
    """Units grouped per cell, force and posture; marker area grows with the personnel there."""
    u = units[units["role"].isin(STATIC_ROLES + DYNAMIC_ROLES) & (units["personnel"] > 0)]
    if u.empty:
        return
    u = u.assign(static=u["role"].isin(STATIC_ROLES))
    g = u.groupby(["x", "y", "force", "static"], as_index=False)["personnel"].sum()
    for (force, static), part in g.groupby(["force", "static"]):
        offset = 0.28 if static else 0.0  # static units sit on key sites: shift them off the site marker
        ax.scatter(part["x"] + offset, part["y"] - offset, marker=FORCE_MARKERS.get(force, "o"),
                   s=6 + 4 * np.sqrt(part["personnel"] / 10.0),
                   facecolor="black" if static else "white", edgecolor="white" if static else "black",
                   linewidth=0.6, zorder=6)


def map_legend_handles(city: CityMap, units: bool = True) -> tuple[list, list[str]]:
    """Legend entries of the map, in a fixed order."""
    handles: list = [Patch(facecolor=STATE_COLOUR, edgecolor="#999999", linewidth=0.5)]
    labels = ["no gang control"]
    for fam in _families(city):
        if any(g.family == fam for g in city.gangs):
            handles.append(Patch(facecolor=_family_colour(fam)))
            labels.append(f"gangs: {fam} (each group outlined)" if fam != "independent" else "gangs: independent groups")
    handles.append(Patch(facecolor="white", edgecolor="#222222", hatch=CONTESTED_HATCH, linewidth=0.5))
    labels.append("contested")
    handles.append(Line2D([], [], color="#333333", linewidth=0.9))
    labels.append("commune boundary")
    for kind, marker in SITE_MARKERS.items():
        if kind in city.site_kinds:
            handles.append(Line2D([], [], linestyle="", marker=marker, markersize=7, markerfacecolor=SITE_COLOUR,
                                  markeredgecolor="black"))
            labels.append(kind.replace("_", " "))
    if units:
        for force, marker in FORCE_MARKERS.items():
            handles.append(Line2D([], [], linestyle="", marker=marker, markersize=5, markerfacecolor="black",
                                  markeredgecolor="white"))
            labels.append(f"{force} static protection")
            handles.append(Line2D([], [], linestyle="", marker=marker, markersize=5, markerfacecolor="white",
                                  markeredgecolor="black"))
            labels.append(f"{force} patrol / hold / operation")
    return handles, labels


def _frame_title(fr: Frame) -> str:
    return f"Day {fr.day}" + (f" ({fr.date:%d %b %Y})" if fr.date else "")


@_styled
def map_figure(city: CityMap, frames: Sequence[Frame], title: str = "", ncols: int | None = None,
               panel_width: float = 4.4) -> Figure:
    """Maps of control on the days of ``frames``, side by side, with one legend below."""
    n = max(1, len(frames))
    ncols = ncols or min(n, 3)
    nrows = math.ceil(n / ncols)
    aspect = city.height / city.width
    fig = _fig(panel_width * ncols, panel_width * aspect * nrows + 0.4 + 0.95)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[panel_width * aspect] * nrows + [0.85])
    for i, fr in enumerate(frames):
        ax = fig.add_subplot(gs[i // ncols, i % ncols])
        draw_map(ax, city, fr, _frame_title(fr))
    leg_ax = fig.add_subplot(gs[nrows, :])
    leg_ax.axis("off")
    handles, labels = map_legend_handles(city)
    leg_ax.legend(handles, labels, loc="center", ncol=min(6, max(3, 2 * ncols)), frameon=False,
                  handlelength=1.6, columnspacing=1.2)
    if title:
        fig.suptitle(title)
    return fig


def control_maps(result: Result, path: str | Path, frames: Sequence[Frame] | None = None) -> Path:
    """Maps of control, front lines and units at each snapshot day of ``result``, saved to ``path``."""
    frames = list(frames) if frames is not None else [result.snapshots[d] for d in sorted(result.snapshots)]
    fig = map_figure(result.city, frames, f"Control of Port-au-Prince: {result.scenario.name}, seed {result.seed}")
    return _save(fig, path)


@_styled
def animate(city: CityMap, frames: Sequence[Frame], path: str | Path, title: str = "", fps: float = 4.0,
            series: pd.DataFrame | None = None) -> Path:
    """An animated GIF of the map over ``frames`` (PillowWriter), with a small time series of the share of
    residents under gang control below it when ``series`` (a run's time series) is given."""
    from matplotlib.animation import PillowWriter

    if not frames:
        raise ValueError("animate: no frames to draw")
    aspect = city.height / city.width
    width = 6.4
    fig = _fig(width, width * aspect + 1.4 + (1.2 if series is not None else 0.0))
    ratios = [width * aspect, 1.3] + ([1.1] if series is not None else [])
    gs = fig.add_gridspec(len(ratios), 1, height_ratios=ratios)
    ax = fig.add_subplot(gs[0])
    leg_ax = fig.add_subplot(gs[1])
    leg_ax.axis("off")
    handles, labels = map_legend_handles(city)
    leg_ax.legend(handles, labels, loc="center", ncol=4, frameon=False, fontsize=6, handlelength=1.4)
    ts_ax = marker = None
    if series is not None:
        ts_ax = fig.add_subplot(gs[2])
        ts_ax.plot(series["day"], series["gang_population_share"], color=OKABE_ITO[1])
        ts_ax.set_ylim(0, 1)
        ts_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ts_ax.set_xlabel("day")
        ts_ax.set_title("Residents under gang control", fontsize=7)
        marker = ts_ax.axvline(0, color="black", linewidth=0.8)
    if title:
        fig.suptitle(title)
    writer = PillowWriter(fps=fps)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with writer.saving(fig, str(path), dpi=DPI):
        for fr in frames:
            ax.clear()
            draw_map(ax, city, fr, _frame_title(fr))
            if marker is not None:
                marker.set_xdata([fr.day, fr.day])
            writer.grab_frame()
    return path


def animate_run(scenario, seed: int, days: int, path: str | Path, every: int = 7, fps: float = 4.0) -> Path:
    """Run ``scenario`` and write the animated map (one frame every ``every`` days) to ``path``."""
    from papsim.runner import run

    frames = record_frames(scenario, seed, days, every=every)
    result = run(scenario, seed=seed, days=days)
    return animate(result.city, frames, path, f"{result.scenario.name}, seed {seed}", fps=fps,
                   series=result.timeseries)


# --- time series ------------------------------------------------------------------------------------
def _format_axis(ax, name: str, values: Iterable[float] = ()) -> None:
    """Shares as percentages on [0, 1]; money in $M; counts from 0 when never negative."""
    v = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) and v.min() >= 0 and not (name in SHARES or name.endswith("_share")):
        ax.set_ylim(0, max(float(v.max()) * 1.05, 1.0 if v.max() == 0 else float(v.max()) * 1.05))
    if name in SHARES or name.endswith("_share"):
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif name.startswith("funds") or name in ("gang_cash", "cost_unpaid"):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v / 1e6:,.0f}M"))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 else f"{v:g}"))


def _values(frame_: pd.DataFrame, name: str) -> pd.Series:
    return frame_[name].rolling(7, min_periods=1).mean() if name in SMOOTHED else frame_[name]


def _label(name: str, label: str | None, width: int = 42) -> str:
    """A panel title: the given label, the main series' label, or the output's description; wrapped."""
    import textwrap

    from papsim.outcomes import BY_NAME

    if not label:
        label = dict(MAIN_SERIES).get(name)
    if not label:
        label = BY_NAME[name].label if name in BY_NAME else name.replace("_", " ")
        label += " (7-day mean)" if name in SMOOTHED else ""
    return textwrap.fill(label, width)


def _panel_grid(fig: Figure, n: int, ncols: int):
    nrows = math.ceil(n / ncols)
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


@_styled
def series_figure(ts: pd.DataFrame, title: str = "", outcomes: Sequence = MAIN_SERIES, ncols: int = 4) -> Figure:
    """A panel per outcome of one run's time series (a ``timeseries.csv`` table), against the date."""
    outcomes = [(o, None) if isinstance(o, str) else o for o in outcomes]
    nrows = math.ceil(len(outcomes) / ncols)
    fig = _fig(3.4 * ncols, 2.3 * nrows + 0.4)
    x = pd.to_datetime(ts["date"]) if "date" in ts else ts["day"]
    for ax, (name, label) in zip(_panel_grid(fig, len(outcomes), ncols), outcomes):
        values = _values(ts, name)
        ax.plot(x, values, color=OKABE_ITO[0])
        ax.set_title(_label(name, label))
        _format_axis(ax, name, values.to_numpy())
        if "date" in ts:
            locator = AutoDateLocator(minticks=3, maxticks=6)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    if title:
        fig.suptitle(title)
    return fig


def timeseries_panels(result: Result, path: str | Path) -> Path:
    """A panel per main outcome over the run, saved to ``path``."""
    return _save(series_figure(result.timeseries, f"{result.scenario.name}, seed {result.seed}"), path)


def series_table(results: Mapping[str, Sequence[Result]]) -> pd.DataFrame:
    """One table of the daily series of several scenarios' runs: ``scenario``, ``seed``, ``day``, outcomes."""
    parts = []
    for label, runs in results.items():
        for r in runs:
            parts.append(r.timeseries.assign(scenario=label, seed=r.seed))
    if not parts:
        raise ValueError("series_table: no runs given")
    return pd.concat(parts, ignore_index=True)


def store_series_table(store, by: Sequence[str], label=None) -> pd.DataFrame:
    """The daily series held in an experiment store, one label per combination of the factors ``by``.

    ``label`` (a function of a dict of factor values) names each group; the default joins ``name = value``.
    """
    series = store.series()
    if series.empty:
        raise ValueError(f"{store.path}: the store holds no daily series (spec series = 'none')")
    wide = series.pivot_table(index=["run_id", "day"], columns="variable", values="value").reset_index()
    design = store.design()[["run_id", "seed", *by]]
    wide = wide.merge(design, on="run_id")

    def name(row) -> str:
        values = {b: row[b] for b in by}
        return label(values) if label else ", ".join(f"{k} = {v:g}" for k, v in values.items())

    keys = wide[list(by)].drop_duplicates().sort_values(list(by))
    names = {tuple(k): name(k) for _, k in keys.iterrows()}
    wide["scenario"] = [names[tuple(r)] for r in wide[list(by)].itertuples(index=False)]
    order = list(dict.fromkeys(names.values()))
    wide["scenario"] = pd.Categorical(wide["scenario"], categories=order, ordered=True)
    return wide.sort_values(["scenario", "run_id", "day"]).rename(columns={"run_id": "run"})


def bands(table: pd.DataFrame, name: str, group: str = "scenario") -> pd.DataFrame:
    """Median and the 50% and 90% ranges over runs of an outcome per day and group (smoothed flows)."""
    run_col = "run" if "run" in table else "seed"
    t = table[[group, run_col, "day", name]].copy()
    if name in SMOOTHED:
        t[name] = t.groupby([group, run_col], observed=True)[name].transform(
            lambda s: s.rolling(7, min_periods=1).mean())
    q = t.groupby([group, "day"], observed=True)[name].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    q.columns = ["p05", "p25", "median", "p75", "p95"]
    return q.reset_index()


@_styled
def comparison_figure(table: pd.DataFrame, outcomes: Sequence = MAIN_SERIES, title: str = "",
                      group: str = "scenario", ncols: int = 4) -> Figure:
    """Scenario comparison: per outcome, each scenario's median line with its 50% and 90% bands over runs.

    ``table`` is long in runs and days: a ``group`` column (the scenario), ``seed`` or ``run``, ``day`` and
    the outcomes (see :func:`series_table` and :func:`store_series_table`).
    """
    outcomes = [(o, None) if isinstance(o, str) else o for o in outcomes]
    groups = list(table[group].cat.categories if hasattr(table[group], "cat") else dict.fromkeys(table[group]))
    nrows = math.ceil(len(outcomes) / ncols)
    fig = _fig(3.4 * ncols, 2.3 * nrows + 0.9)
    axes = _panel_grid(fig, len(outcomes), ncols)
    run_col = "run" if "run" in table else "seed"
    n_runs = table.groupby(group, observed=True)[run_col].nunique()
    for ax, (name, label) in zip(axes, outcomes):
        b = bands(table, name, group)
        for i, g in enumerate(groups):
            part = b[b[group] == g]
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            ax.fill_between(part["day"], part["p05"], part["p95"], color=colour, alpha=0.12, linewidth=0)
            ax.fill_between(part["day"], part["p25"], part["p75"], color=colour, alpha=0.3, linewidth=0)
            ax.plot(part["day"], part["median"], color=colour, linestyle=LINESTYLES[i % len(LINESTYLES)])
        ax.set_title(_label(name, label))
        _format_axis(ax, name, b[["p05", "p95"]].to_numpy().ravel())
    for ax in axes[-ncols:]:
        ax.set_xlabel("day")
    handles = [Line2D([], [], color=OKABE_ITO[i % len(OKABE_ITO)], linestyle=LINESTYLES[i % len(LINESTYLES)])
               for i in range(len(groups))]
    labels = [f"{g} ({n_runs.get(g, 0)} runs)" for g in groups]
    handles += [Patch(facecolor="#777777", alpha=0.45), Patch(facecolor="#777777", alpha=0.15)]
    labels += ["50% of runs", "90% of runs"]
    width = fig.get_figwidth()
    fig.legend(handles, labels, loc="outside lower center", frameon=False,
               ncol=max(1, min(len(labels), 4, int(width / 2.9))))
    fig.suptitle(title or "Median over runs with 50% and 90% bands")
    return fig


def comparison_panels(table: pd.DataFrame, path: str | Path, outcomes: Sequence = MAIN_SERIES,
                      title: str = "", group: str = "scenario") -> Path:
    """:func:`comparison_figure` saved to ``path``."""
    return _save(comparison_figure(table, outcomes, title, group), path)


@_styled
def outcome_intervals_figure(summaries: pd.DataFrame, outcomes: Sequence[str], group: str = "scenario",
                             title: str = "") -> Figure:
    """Per scenario and outcome (a column of run summaries), the median with its 50% and 90% ranges."""
    groups = list(dict.fromkeys(summaries[group]))
    fig = _fig(3.0 * len(outcomes), 0.45 * len(groups) + 1.3)
    axes = fig.subplots(1, len(outcomes), sharey=True, squeeze=False)[0]
    pos = np.arange(len(groups))[::-1]
    for ax, name in zip(axes, outcomes):
        for i, (g, y) in enumerate(zip(groups, pos)):
            v = summaries.loc[summaries[group] == g, name].dropna().to_numpy(dtype=float)
            if not len(v):
                continue
            p05, p25, p50, p75, p95 = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            ax.plot([p05, p95], [y, y], color=colour, linewidth=1.0)
            ax.plot([p25, p75], [y, y], color=colour, linewidth=4.0, solid_capstyle="butt")
            ax.plot([p50], [y], marker="o", color="black", markersize=4)
        ax.set_title(name.replace("_", " "))
        if name.endswith("share") or any(name.startswith(s) for s in SHARES):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        elif "usd" in name or name.startswith("funds"):
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v / 1e6:,.0f}M"))
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 else f"{v:g}"))
        ax.tick_params(axis="x", rotation=20)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(pos, groups)
    fig.suptitle(title or "Median (dot), 50% (thick) and 90% (thin) of runs")
    return fig
