"""The house style of every figure: palette, line styles, figure factory, saving and PNG bytes.

The Okabe-Ito palette is safe for the common forms of colour blindness, and every series also gets its own
line style, so a figure printed in greyscale still reads. Figures are ``matplotlib.figure.Figure`` objects
(no pyplot, no global state, no display needed) with constrained layout at a fixed resolution, so a
figure's pixel size is ``figsize * DPI``.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import matplotlib
from matplotlib.figure import Figure

DPI = 120
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
                            "#000000")
LINESTYLES: tuple = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)),
                     (0, (3, 1, 3, 3)))
RC: dict[str, object] = {
    "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "legend.fontsize": 7, "xtick.labelsize": 7,
    "ytick.labelsize": 7, "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "grid.linewidth": 0.5, "lines.linewidth": 1.4, "hatch.linewidth": 0.6,
}

P = ParamSpec("P")
R = TypeVar("R")


def colour(i: int) -> str:
    """The ``i``-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def linestyle(i: int):
    """The ``i``-th line style (cycling), paired with :func:`colour` so greyscale prints still read."""
    return LINESTYLES[i % len(LINESTYLES)]


def figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches in the house style (constrained layout keeps titles and
    legends inside)."""
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def save(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` to ``path`` (its folder created), at the house resolution; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    return path


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (for notebooks, the app and the self-contained report)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Draw under the house rcParams without touching the caller's matplotlib settings."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper
