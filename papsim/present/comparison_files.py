"""Write a scenario comparison into its folder: tables/compare.csv, differences.csv, compare.md (the same as
readable tables), scenarios.csv, and figures/compare_bands.png and compare_outcomes.png."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from papsim.analyses.compare import AT_END, AT_HORIZON, MILESTONES, PER_PERSON_FREED, Comparison
from papsim.outcomes import BY_NAME
from papsim.present.comparison_figures import bands_figure, missing, outcomes_figure
from papsim.present.format import value
from papsim.present.style import save

UNDEFINED = (*PER_PERSON_FREED, *MILESTONES)  # outcomes whose value may be 'none freed' or 'never'


def fmt(v: float, stem: str) -> str:
    """One value of outcome ``stem`` for a person, by the catalogue's kind ('never', 'none freed' or 'n/a'
    when it is not a number)."""
    if math.isnan(v) or math.isinf(v):
        return missing(v, stem)
    return value(v, BY_NAME[stem].kind)


def _signed(v: float, stem: str) -> str:
    return ("+" if v >= 0 else "-") + fmt(abs(v), stem)


def _cell(row: pd.Series, stem: str) -> str:
    """'median [p05, p95]' of a row of the table, with the runs whose value is 'never' or 'none freed' counted."""
    median, runs = float(row["median"]), int(row["runs"])
    undefined = runs - int(row["finite"]) if stem in UNDEFINED and not math.isnan(median) else 0
    if undefined and undefined == runs:
        return f"{missing(math.inf, stem)} (all {runs} runs)"
    text = f"{fmt(median, stem)} [{fmt(float(row['p05']), stem)}, {fmt(float(row['p95']), stem)}]"
    return f"{text} ({undefined} of {runs} runs {missing(math.inf, stem)})" if undefined else text


def _rows(header: list[str], cells: dict[str, list[str]]) -> list[str]:
    return ["| scenario | " + " | ".join(header) + " |", "|---|" + "---|" * len(header),
            *(f"| {name} | " + " | ".join(row) + " |" for name, row in cells.items()), ""]


def markdown(c: Comparison) -> str:
    """The comparison as markdown tables: one per outcome group, cells 'median [p05, p95]'."""
    table, names = c.table, c.names
    lines = ["# Scenario comparison", "",
             f"{len(names)} scenarios x {c.replicates} replicates on common random numbers, {c.days} days from "
             f"{c.start}. Cells: median [90% interval] over replicates; 'never' (a milestone not reached) and "
             "'none freed' (no one freed, so no cost per person freed) count as later or dearer than any value, "
             "and a cell says in how many runs. A stylised model: compare scenarios with each other, do not read "
             "the numbers as forecasts.", ""]
    for stem in AT_HORIZON:
        part = table[table["outcome"] == stem]
        if part.empty:
            continue
        horizons = list(dict.fromkeys(part["horizon"]))
        cells = {name: [_cell(r, stem) for _, r in part[part["scenario"] == name].iterrows()] for name in names}
        lines += [f"## {BY_NAME[stem].label}", "", *_rows(horizons, cells)]
    groups = (("Cost, people freed and key sites (end of the run)", AT_END),
              ("Time to milestones (days from the start; 'never' = not within the run)", MILESTONES))
    for title, stems in groups:
        part = table[table["outcome"].isin(stems) & ~table["horizon"].str.endswith("months")]
        stems = [s for s in stems if s in set(part["outcome"])]
        cells = {}
        for name in names:
            mine = part[part["scenario"] == name].set_index("outcome")
            cells[name] = [_cell(mine.loc[s], s) if s in mine.index else "n/a" for s in stems]
        lines += [f"## {title}", "", *_rows(stems, cells)]
    lines += _differences(c.differences, names)
    return "\n".join(lines)


def _differences(diffs: pd.DataFrame, names: list[str]) -> list[str]:
    """The paired differences at the last horizon (or the end) as a markdown table."""
    if diffs.empty:
        return []
    months = [h for h in diffs["horizon"].unique() if h.endswith("months")]
    horizon = months[-1] if months else diffs["horizon"].iloc[-1]
    part = diffs[diffs["horizon"] == horizon]
    stems = [s for s in AT_HORIZON if s in set(part["outcome"])]
    cells = {}
    for name in names:
        mine = part[part["scenario"] == name].set_index("outcome")
        if mine.empty:
            continue
        cells[name] = []
        for s in stems:
            if s not in mine.index:
                cells[name].append("n/a")
                continue
            r = mine.loc[s]
            share = f" ({r.share_better:.0%})" if math.isfinite(r.share_better) else ""
            cells[name].append(f"{_signed(r.median_difference, s)} [{_signed(r.p05, s)}, {_signed(r.p95, s)}]{share}")
    reduction = part["pairing_variance_reduction"].astype(float) if "pairing_variance_reduction" in part else None
    pairing = (" How well common random numbers paired the runs could not be measured (it needs at least 3 "
               "replicates)." if reduction is None or not np.isfinite(reduction).any() else
               f" Common random numbers cut the variance of these differences by {np.nanmedian(reduction):.0%} "
               f"(median over outcomes; range {np.nanmin(reduction):.0%} to {np.nanmax(reduction):.0%}; 0% means "
               "no better than independent runs): `differences.csv` gives the pairing of each outcome.")
    return [f"## Paired differences from {diffs['reference'].iloc[0]} at {horizon}", "",
            "Median [90% interval] of (scenario - reference), replicate by replicate; in brackets after it, the "
            "share of replicates in which the scenario does better (none for an outcome with no better "
            "direction)." + pairing, "", *_rows(stems, cells)]


def write(c: Comparison) -> list[Path]:
    """Write the comparison's tables (and its figures when a run succeeded); returns the files written."""
    tables, figures = c.out / "tables", c.out / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    files = [tables / "compare.csv", tables / "differences.csv", tables / "compare.md", tables / "scenarios.csv"]
    c.table.to_csv(files[0], index=False)
    c.differences.to_csv(files[1], index=False)
    files[2].write_text(markdown(c))
    c.scenarios.to_csv(files[3], index=False)
    if (c.runs["status"] == "ok").any():
        files.append(save(bands_figure(c.bands, c.names, c.start, c.reference), figures / "compare_bands.png"))
        files.append(save(outcomes_figure(c.table, c.names, c.days), figures / "compare_outcomes.png"))
    return files
