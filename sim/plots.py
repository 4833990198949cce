"""Figures of one run: control maps and time-series panels (matplotlib, Agg backend, colour-blind safe).

State cells are light grey, gang cells are coloured by coalition family, sea and empty land are white;
key sites are marked. The palette is Okabe-Ito, readable in greyscale print by lightness.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from sim.citymap import CityMap  # noqa: E402
from sim.runner import Result  # noqa: E402

FAMILY_COLOURS = {"G9": "#D55E00", "G-Pep": "#0072B2", "independent": "#CC79A7"}
STATE_COLOUR = "#DDDDDD"
SITE_MARKERS = {"airport": "^", "port": "s", "fuel_terminal": "D", "hospital": "P", "palace": "*",
                "prison": "X", "intersection": "o"}
MAIN_SERIES = (("gang_population_share", "Residents under gang control"),
               ("gang_territory_share", "Cells under gang control"),
               ("deaths_civilian", "Civilians killed per day (7-day mean)"),
               ("displaced_total", "Displaced people"),
               ("trust", "Trust in the mission"),
               ("mss_personnel", "MSS personnel"),
               ("humanitarian_access", "Humanitarian access"),
               ("funds_balance", "Mission funds in hand (USD)"))


def control_image(city: CityMap, controller: np.ndarray) -> tuple[np.ndarray, ListedColormap]:
    """Integer image (height, width) for ``imshow``: 0 outside, 1 state, 2+ gang family; and its colour map."""
    families = list(FAMILY_COLOURS)
    family_of = np.array([families.index(g.family) if g.family in families else 2 for g in city.gangs])
    img = np.where(controller >= 0, 2 + family_of[np.maximum(controller, 0)], 1)
    img = np.where(city.land, img, 0)
    cmap = ListedColormap(["white", STATE_COLOUR, *FAMILY_COLOURS.values()])
    return img.T, cmap


def draw_map(ax: plt.Axes, city: CityMap, controller: np.ndarray, title: str) -> None:
    """Draw one control map with key sites on ``ax``."""
    img, cmap = control_image(city, controller)
    ax.imshow(img, origin="lower", cmap=cmap, vmin=0, vmax=len(cmap.colors) - 1, interpolation="nearest")
    x, y = np.divmod(city.site_cells, city.height)
    for kind, marker in SITE_MARKERS.items():
        sel = np.array([k == kind for k in city.site_kinds])
        if sel.any():
            ax.scatter(x[sel], y[sel], marker=marker, s=28, facecolor="black", edgecolor="white", linewidth=0.6,
                       label=kind.replace("_", " "))
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def control_maps(result: Result, path: Path) -> Path:
    """Maps of control at each snapshot day of ``result`` (start, middle and end), saved to ``path``."""
    city = result.city
    days = sorted(result.snapshots)
    fig, axes = plt.subplots(1, len(days), figsize=(4.2 * len(days), 3.4), squeeze=False)
    for ax, day in zip(axes[0], days):
        date = result.timeseries["date"].iloc[day].date()
        draw_map(ax, city, result.snapshots[day], f"Day {day} ({date})")
    handles = [plt.Rectangle((0, 0), 1, 1, color=STATE_COLOUR)] + \
              [plt.Rectangle((0, 0), 1, 1, color=c) for c in FAMILY_COLOURS.values()]
    labels = ["no gang control"] + [f"gangs: {f}" for f in FAMILY_COLOURS]
    site_handles, site_labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles + site_handles, labels + site_labels, loc="lower center", ncol=6, fontsize=7, frameon=False)
    fig.suptitle(f"Control of Port-au-Prince: {result.scenario.name}, seed {result.seed}", fontsize=10)
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def timeseries_panels(result: Result, path: Path) -> Path:
    """A panel per main outcome over the run, saved to ``path``."""
    ts = result.timeseries
    fig, axes = plt.subplots(2, 4, figsize=(14, 6), sharex=True)
    for ax, (name, label) in zip(axes.flat, MAIN_SERIES):
        values = ts[name].rolling(7, min_periods=1).mean() if name == "deaths_civilian" else ts[name]
        ax.plot(ts["date"], values, color="#0072B2", linewidth=1.4)
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
        if name.endswith("share") or name in ("trust", "humanitarian_access"):
            ax.set_ylim(0, 1)
        ax.tick_params(labelsize=7)
    for ax in axes[-1]:
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle(f"{result.scenario.name}, seed {result.seed}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
