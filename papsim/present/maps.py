"""Control maps of the city, still and animated, and the map state they are drawn from.

Nothing on a map relies on colour alone, so a greyscale print still reads: the state's cells light grey,
each gang coalition its own colour and lightness, contested cells hatched, borders between groups in thin
white, communes outlined in dark grey; key sites are yellow markers with a shape per kind; units are small
black (static protection) or white (patrols, holds and operations) circles (HNP) or diamonds (MSS).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import PercentFormatter

from papsim.citymap import CityMap
from papsim.outcomes import BY_NAME
from papsim.present.style import DPI, colour, figure, save, styled
from papsim.runner import Result
from papsim.scenario import Scenario
from papsim.snapshot import Frame, frame

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
GANG_SHARE = "gang_population_share"  # the series under the animated map


# --- map state ----------------------------------------------------------------------------------------
def record_frames(scenario: Scenario, seed: int, days: int, at: Iterable[int] = (),
                  every: int | None = None) -> list[Frame]:
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


@styled
def map_figure(city: CityMap, frames: Sequence[Frame], title: str = "", ncols: int | None = None,
               panel_width: float = 4.4) -> Figure:
    """Maps of control on the days of ``frames``, side by side, with one legend below."""
    n = max(1, len(frames))
    ncols = ncols or min(n, 3)
    nrows = math.ceil(n / ncols)
    aspect = city.height / city.width
    fig = figure(panel_width * ncols, panel_width * aspect * nrows + 0.4 + 0.95)
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
    return save(fig, path)


@styled
def animate(city: CityMap, frames: Sequence[Frame], path: str | Path, title: str = "", fps: float = 4.0,
            series: pd.DataFrame | None = None) -> Path:
    """An animated GIF of the map over ``frames`` (PillowWriter), with a small time series of the share of
    residents under gang control below it when ``series`` (a run's time series) is given."""
    from matplotlib.animation import PillowWriter

    if not frames:
        raise ValueError("animate: no frames to draw")
    aspect = city.height / city.width
    width = 6.4
    fig = figure(width, width * aspect + 1.4 + (1.2 if series is not None else 0.0))
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
        ts_ax.plot(series["day"], series[GANG_SHARE], color=colour(1))
        ts_ax.set_ylim(0, 1)
        ts_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ts_ax.set_xlabel("day")
        ts_ax.set_title(BY_NAME[GANG_SHARE].label, fontsize=7)
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


def animate_run(scenario: Scenario, seed: int, days: int, path: str | Path, every: int = 7,
                fps: float = 4.0) -> Path:
    """Run ``scenario`` and write the animated map (one frame every ``every`` days) to ``path``."""
    from papsim.runner import run

    frames = record_frames(scenario, seed, days, every=every)
    result = run(scenario, seed=seed, days=days)
    return animate(result.city, frames, path, f"{result.scenario.name}, seed {seed}", fps=fps,
                   series=result.timeseries)
