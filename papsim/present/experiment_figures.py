"""Figures of an experiment, in the house style (``papsim/present/style.py``: no pyplot, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from papsim.present.style import figure, save, styled


@styled
def outcome_bands(table: pd.DataFrame, x: str, hue: str | None, outcome: str, path: Path,
                  deployed: str | None = None) -> Path:
    """Median of an outcome against a factor (e.g. personnel) with its 90% band, one line per ``hue`` level.

    With ``deployed`` (a column of the table, e.g. the force deployed averaged over the run) a second panel
    shows it against the same factor: a target is not what gets deployed."""
    show = deployed if deployed in table and table[deployed].notna().any() else None
    fig = figure(11 if show else 6.5, 4)
    ax = fig.add_subplot(1, 2 if show else 1, 1)
    groups = list(table.groupby(hue) if hue else [(None, table)])
    for level, g in groups:
        g = g.sort_values(x)
        label = f"{hue} = {level:g}" if hue else None
        line, = ax.plot(g[x], g[f"{outcome}_median"], marker="o", label=label)
        ax.fill_between(g[x], g[f"{outcome}_p05"], g[f"{outcome}_p95"], color=line.get_color(), alpha=0.15)
    ax.set_xlabel(x)
    ax.set_ylabel(outcome)
    ax.set_title(f"{outcome}: median and 90% interval")
    if hue:
        ax.legend(fontsize=8)
    if show:
        right = fig.add_subplot(1, 2, 2)
        for level, g in groups:
            g = g.sort_values(x)
            right.plot(g[x], g[show], marker="o", label=f"{hue} = {level:g}" if hue else None)
        top = float(table[x].max())
        right.plot([0, top], [0, top], color="0.6", ls="--", lw=1, label="deployed = target")
        right.set_xlabel(x)
        right.set_ylabel(show)
        right.set_title("force deployed (median over runs) against the target", fontsize=9)
        right.legend(fontsize=7)
    return save(fig, path)


@styled
def heatmap(table: pd.DataFrame, x: str, y: str, value: str, path: Path, deployed: str | None = None) -> Path:
    """A value (e.g. the median outcome or a success probability) over two factors; with ``deployed`` each
    cell also says the force deployed there (a target is not a deployment)."""
    grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean", dropna=False)
    force = (table.pivot_table(index=y, columns=x, values=deployed, aggfunc="mean", dropna=False)
             if deployed in table else None)
    fig = figure(7.5 if force is not None else 6.5, 4.5 if force is not None else 4)
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        text = f"{v:.3g}" if np.isfinite(v) else ("inf" if np.isinf(v) else "")
        if force is not None and np.isfinite(force.iloc[i, j]):
            text += f"\n(deployed {force.iloc[i, j]:,.0f})"
        if text:
            ax.text(j, i, text, ha="center", va="center", color="w", fontsize=7)
    ax.set_xlabel(x + (" (target)" if force is not None else ""))
    ax.set_ylabel(y)
    ax.set_title(value)
    fig.colorbar(image, ax=ax)
    return save(fig, path)


@styled
def sobol_bars(table: pd.DataFrame, output: str, path: Path, floor: float = float("nan")) -> Path:
    """First-order and total indices with their confidence intervals (Sobol' or eFAST); a dashed line at
    the noise floor (the total index the model's own noise gives an inert factor)."""
    t = table.sort_values("ST", ascending=False)
    pos = np.arange(len(t))
    fig = figure(max(5.0, 0.5 * len(t) + 2), 4)
    ax = fig.add_subplot()
    ax.bar(pos - 0.2, t["S1"], 0.4, yerr=t["S1_conf"], capsize=2, label="S1 (first order)")
    ax.bar(pos + 0.2, t["ST"], 0.4, yerr=t["ST_conf"], capsize=2, label="ST (total)")
    if np.isfinite(floor):
        ax.axhline(floor, color="k", ls="--", lw=1, label=f"noise floor {floor:.3f}")
    ax.set_xticks(pos, t["factor"], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("index")
    ax.set_title(output)
    ax.legend(fontsize=8)
    return save(fig, path)


@styled
def morris_scatter(table: pd.DataFrame, output: str, path: Path, label: int = 12) -> Path:
    """Morris mu* against sigma; the ``label`` most influential factors are named."""
    fig = figure(6.5, 5)
    ax = fig.add_subplot()
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", ms=4, alpha=0.8)
    for r in table.nlargest(label, "mu_star").itertuples():
        ax.annotate(r.factor, (r.mu_star, r.sigma), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_title(output)
    return save(fig, path)


@styled
def convergence_lines(table: pd.DataFrame, output: str, path: Path, top: int = 10) -> Path:
    """An index against the design size used, per factor (the ``top`` largest at full size)."""
    last = table[table["size"] == table["size"].max()].nlargest(top, "value")["factor"]
    fig = figure(6.5, 4)
    ax = fig.add_subplot()
    for factor in last:
        g = table[table["factor"] == factor]
        line, = ax.plot(g["points"], g["value"], marker="o", label=factor)
        if g["conf"].notna().any():
            ax.fill_between(g["points"], g["value"] - g["conf"], g["value"] + g["conf"],
                            color=line.get_color(), alpha=0.1)
    ax.set_xscale("log")
    scrambles = int(table["scrambles"].max()) if "scrambles" in table else 1
    ax.set_xlabel("design points used" + (f" per scramble (mean and interval over {scrambles} independent "
                                          "scrambles)" if scrambles > 1 else ""), fontsize=8 if scrambles > 1 else None)
    ax.set_ylabel(table["index"].iloc[0])
    ax.set_title(f"{output}: convergence")
    ax.legend(fontsize=7)
    return save(fig, path)


@styled
def prim_boxes(limits: pd.DataFrame, stats: pd.DataFrame, bounds: dict[str, tuple[float, float]],
               path: Path) -> Path:
    """Each PRIM box's restricted ranges as bars on the factors' full ranges (scaled to 0-1)."""
    fig = figure(7, 1.2 + 0.45 * max(1, limits["factor"].nunique()) * max(1, len(stats)))
    ax = fig.add_subplot()
    labels, pos = [], 0
    for s in stats.itertuples():
        for r in limits[limits["box"] == s.box].itertuples():
            lo, hi = bounds[r.factor]
            span = (hi - lo) or 1.0
            ax.barh(pos, (r.high - r.low) / span, left=(r.low - lo) / span, color=f"C{s.box - 1}")
            ax.text(1.01, pos, f"[{r.low:.3g}, {r.high:.3g}]", va="center", fontsize=7)
            labels.append(f"box {s.box}: {r.factor}")
            pos += 1
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlim(0, 1.25)
    ax.set_xlabel("share of the factor's range")
    ax.set_title("; ".join(f"box {s.box}: coverage {s.coverage:.2f}, density {s.density:.2f}"
                           + (f" (held-out runs: {s.coverage_holdout:.2f}, {s.density_holdout:.2f})"
                              if np.isfinite(getattr(s, "density_holdout", np.nan)) else "")
                           for s in stats.itertuples()), fontsize=8)
    ax.invert_yaxis()
    return save(fig, path)


@styled
def prim_tradeoff(trajectory: pd.DataFrame, path: Path) -> Path:
    """Coverage against density along the peeling trajectory of each box (the chosen box circled)."""
    fig = figure(5.5, 4.5)
    ax = fig.add_subplot()
    for box, g in trajectory.groupby("box"):
        ax.plot(g["coverage"], g["density"], marker=".", label=f"box {box}")
        chosen = g[g["chosen"]]
        ax.scatter(chosen["coverage"], chosen["density"], s=120, facecolors="none", edgecolors="k")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title("PRIM peeling trajectories")
    ax.legend(fontsize=8)
    return save(fig, path)
