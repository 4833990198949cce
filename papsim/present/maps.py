"""Control maps of the city, still and animated, and the map state they are drawn from.

Nothing on a map relies on colour alone, so a greyscale print still reads: the state's cells light grey,
each gang coalition its own colour and lightness, contested cells hatched, borders between groups in thin
white, the coast and the communes' real boundaries in dark grey, main roads in mid grey; key sites are yellow markers with a shape per kind; units are small
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
ROAD_COLOUR = "#555555"
SITE_MARKERS = {"airport": "^", "port": "v", "fuel_terminal": "p", "hospital": "P", "palace": "*",
                "prison": "X", "intersection": "h", "police_station": "s"}
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
    """Integer image (height, width) for ``imshow``: 0 off land, 1 state, 2+ gang family; and its colour map.
    ``controller`` is on the full grid (``Frame.controller``)."""
    families = _families(city)
    family_of = np.array([families.index(g.family) for g in city.gangs])
    img = np.where(controller >= 0, 2 + family_of[np.maximum(controller, 0)], 1)
    img = np.where(city.land, img, 0)
    cmap = ListedColormap([SEA_COLOUR, STATE_COLOUR, *[_family_colour(f) for f in families]])
    return img.T, cmap


def _edges(labels: np.ndarray, cell_km: float, mask: np.ndarray | None = None) -> np.ndarray:
    """Segments (grid km) between neighbouring cells with different labels, shape (n, 2, 2).

    ``labels`` has the grid's (width, height) shape; ``mask`` (same shape) keeps only edges touching it.
    """
    keep = np.ones(labels.shape, bool) if mask is None else mask
    xs, ys = np.nonzero((labels[1:, :] != labels[:-1, :]) & (keep[1:, :] | keep[:-1, :]))
    vertical = np.stack([np.column_stack([xs + 1, ys]), np.column_stack([xs + 1, ys + 1])], axis=1)
    xs, ys = np.nonzero((labels[:, 1:] != labels[:, :-1]) & (keep[:, 1:] | keep[:, :-1]))
    horizontal = np.stack([np.column_stack([xs, ys + 1]), np.column_stack([xs + 1, ys + 1])], axis=1)
    return np.concatenate([vertical, horizontal]).astype(float) * cell_km


def _km(city: CityMap, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid km of the centres of model cells."""
    x, y = city.grid_xy(cells)
    return (x + 0.5) * city.cell_km, (y + 0.5) * city.cell_km


def _scale_and_north(ax, width_km: float, height_km: float) -> None:
    """A 10 km scale bar in the lower right corner and a north arrow above it (UTM grid north)."""
    x1, y0 = width_km * 0.95, height_km * 0.05
    ax.plot([x1 - 10, x1], [y0, y0], color="black", linewidth=2, solid_capstyle="butt", zorder=7)
    ax.text(x1 - 5, y0 + height_km * 0.015, "10 km", ha="center", va="bottom", fontsize=6, zorder=7)
    ax.annotate("N", xy=(x1 - 1, y0 + height_km * 0.2), xytext=(x1 - 1, y0 + height_km * 0.1), ha="center",
                va="center", fontsize=7, fontweight="bold", zorder=7,
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.0})


def draw_map(ax, city: CityMap, state: Frame, title: str = "", labels: bool = True) -> None:
    """Draw one control map on ``ax`` in grid km: control, contested cells, the region's coast and commune
    boundaries, roads, commune names, key sites, units, a scale bar and a north arrow."""
    w_km, h_km = city.width * city.cell_km, city.height * city.cell_km
    img, cmap = control_image(city, state.controller)
    ax.imshow(img, origin="lower", cmap=cmap, vmin=0, vmax=len(cmap.colors) - 1, interpolation="nearest",
              extent=(0, w_km, 0, h_km))
    groups = np.where(city.land, state.controller, -2)  # borders between armed groups, thin white
    ax.add_collection(LineCollection(_edges(groups, city.cell_km, state.controller >= 0), colors="white",
                                     linewidths=0.4))
    if state.contested.any():
        xs, ys = np.nonzero(state.contested & city.land)
        # one compound path of all contested cells, hatched once (a patch per cell is several times slower)
        corners = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
        verts = ((np.column_stack([xs, ys])[:, None, :] + corners[None, :, :]) * city.cell_km).reshape(-1, 2)
        codes = np.tile([MplPath.MOVETO, MplPath.LINETO, MplPath.LINETO, MplPath.LINETO, MplPath.CLOSEPOLY], len(xs))
        ax.add_patch(PathPatch(MplPath(verts, codes), facecolor="none", edgecolor="#222222", linewidth=0.0,
                               hatch=CONTESTED_HATCH))
    ax.add_collection(LineCollection([ring for rings in city.commune_outlines for ring in rings], colors="#333333",
                                     linewidths=0.8))
    ax.add_collection(LineCollection([city.roads.node_xy_km[list(seg)] for seg in city.roads.seg_nodes],
                                     colors=ROAD_COLOUR, linewidths=1.0, linestyles="solid"))
    if labels:
        _label_communes(ax, city, w_km)
    if len(state.units):
        _draw_units(ax, state.units, city.cell_km)
    sx, sy = _km(city, city.site_cells)
    for kind, marker in SITE_MARKERS.items():
        sel = np.array([k == kind for k in city.site_kinds])
        if sel.any():
            ax.scatter(sx[sel], sy[sel], marker=marker, s=40, facecolor=SITE_COLOUR, edgecolor="black",
                       linewidth=0.7, zorder=5)
    _scale_and_north(ax, w_km, h_km)
    ax.set_xlim(0, w_km)
    ax.set_ylim(0, h_km)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.5)


def _label_communes(ax, city: CityMap, w_km: float) -> None:
    """Each commune's name at a point inside it, aligned away from the nearer side of the map so that it is
    never cut by the frame."""
    for name, (x, y) in zip(city.commune_names, city.commune_label_km):
        ha = "left" if x < 0.25 * w_km else "right" if x > 0.75 * w_km else "center"
        ax.text(x, y, name, fontsize=5.5, ha=ha, va="center", color="#111111", zorder=6, clip_on=True,
                path_effects=[patheffects.withStroke(linewidth=1.8, foreground="white")])


def _draw_units(ax, units: pd.DataFrame, cell_km: float) -> None:
    """Units grouped per cell (grid ``x``, ``y``), force and posture; marker area grows with the personnel."""
    u = units[units["role"].isin(STATIC_ROLES + DYNAMIC_ROLES) & (units["personnel"] > 0)]
    if u.empty:
        return
    u = u.assign(static=u["role"].isin(STATIC_ROLES))
    g = u.groupby(["x", "y", "force", "static"], as_index=False)["personnel"].sum()
    for (force, static), part in g.groupby(["force", "static"]):
        offset = 0.78 if static else 0.5  # static units sit on key sites: shift them off the site marker
        ax.scatter((part["x"] + offset) * cell_km, (part["y"] + 1 - offset) * cell_km, marker=FORCE_MARKERS.get(force, "o"),
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
    labels.append("commune boundary and coast")
    handles.append(Line2D([], [], color=ROAD_COLOUR, linewidth=1.0))
    labels.append("main road")
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
