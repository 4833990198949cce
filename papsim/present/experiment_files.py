"""Write a store's CSV tables and figures: the sweep tables, the sensitivity analyses, scenario discovery.

Each analysis that cannot be done (a failed run in a Sobol' design, say) is skipped with a one-line
problem in the report; the others are still written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from papsim.experiments import analysis, discovery
from papsim.experiments import planner as planning
from papsim.present import experiment_figures as figures
from papsim.experiments.store import Store

STRUCTURED = ("sobol", "morris", "efast")  # need every run of their own design


@dataclass
class Report:
    """The files an analysis wrote, the analyses it could not do (problems) and what it chose not to draw
    or wants said (notes: not failures)."""

    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def extend(self, other: Report) -> Report:
        self.files += other.files
        self.problems += other.problems
        self.notes += [n for n in other.notes if n not in self.notes]
        return self


def _csv(table: pd.DataFrame, store: Store, name: str, report: Report) -> None:
    path = store.path / "tables" / f"{name}.csv"
    table.to_csv(path, index=False)
    report.files.append(path)


def sweep_tables(store: Store) -> Report:
    """runs.csv (every run, without tracebacks), failures.csv, the planner table and its figures, and the
    achieved pairing of replicates (pairing.csv) when the design has replicates."""
    report = Report()
    spec, runs = store.spec(), store.runs()
    _csv(runs.drop(columns=["traceback"], errors="ignore"), store, "runs", report)
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        cols = ["run_id", "point", "replicate", "seed", *spec.factor_names, "error", "traceback"]
        _csv(failed[cols], store, "failures", report)
    if spec.analysis.planner_by and len(runs):
        report.extend(planner(store, runs))
    if spec.replicates > 1 and spec.design.method == "grid" and len(runs):
        outputs = [o for o in analysis.output_names(spec, runs) if o in runs]
        _csv(planning.pairing_table(spec, runs, [*outputs, *([planning.UNDER] if planning.UNDER in runs else [])]),
             store, "pairing", report)
    return report


def planner(store: Store, runs: pd.DataFrame) -> Report:
    """The planner table (deployed force, median, 90% interval, success probabilities, cost per person
    freed per factor combination) and its figures."""
    report = Report()
    spec = store.spec()
    outputs = [o for o in analysis.output_names(spec, runs) if o in runs]
    series = _deployed_series(store)
    table = planning.planner_table(spec, runs, outputs, series)
    drawn = [o for o in spec.outputs if o in runs]  # figures only for the outputs of interest
    _csv(table, store, "planner", report)
    if spec.analysis.success:
        criteria = planning.criteria_table(spec, runs)
        _csv(criteria, store, "success_criteria", report)
        for c in criteria.itertuples():
            if c.runs_meeting == 0:
                report.notes.append(f"success criterion '{c.criterion}' holds in 0 of {c.runs} runs")
    if not spec.analysis.reference:
        report.notes.append("planner: no reference option (analysis.reference), so no cost per person freed")
    by = spec.analysis.planner_by
    fig_dir = store.path / "figures"
    hue = by[1] if len(by) > 1 else None
    pooled = table if len(by) <= 2 else planning.planner_table(spec, runs, drawn, series, by=by[:2])
    force = _deployed_column(spec, pooled, by[0])
    for out in drawn:
        report.files.append(figures.outcome_bands(pooled, by[0], hue, out, fig_dir / f"bands_{out}.png", force))
        if hue and pooled[f"{out}_median"].notna().any():
            report.files.append(figures.heatmap(pooled, by[0], hue, f"{out}_median",
                                                fig_dir / f"heatmap_{out}.png", force))
    if hue and spec.analysis.success:
        report.files.append(figures.heatmap(pooled, by[0], hue, "p_success_all",
                                            fig_dir / "heatmap_p_success_all.png", force))
    if hue and "cost_per_person_freed_usd" in pooled:
        report.files.append(figures.heatmap(pooled, by[0], hue, "cost_per_person_freed_usd",
                                            fig_dir / "heatmap_cost_per_person_freed_usd.png", force))
    return report


def _deployed_series(store: Store) -> pd.DataFrame | None:
    """The stored daily series of the deployed forces (None if the spec stored none)."""
    names = list(planning.DEPLOYED.values())
    series = store.series(names)
    return series if len(series) else None


def _deployed_column(spec, table: pd.DataFrame, factor: str) -> str | None:
    """The planner column of the force deployed for a target factor (averaged over the run, else at the
    horizon), or None if the factor is not a target."""
    name = planning.DEPLOYED.get(factor)
    for kind in ("mean", "at_horizon"):
        column = f"{name}_{kind}_median"
        if name and column in table and table[column].notna().any():
            return column
    return None


def sensitivity(store: Store) -> Report:
    """The spec's sensitivity analyses for each output of interest, with noise, noise floors and convergence.

    An analysis that cannot be done is one problem line naming the method and output (never a crash); a
    design too small for a convergence check gets a note instead of the figure."""
    report = Report()
    spec, design, runs = store.spec(), store.design(), store.runs()
    if runs.empty:
        report.problems.append(f"{store.path}: no runs yet; nothing to analyse")
        return report
    outputs = analysis.output_names(spec, runs)
    noise = []
    fig = store.path / "figures"
    for method in spec.analysis.methods:
        tables, s2, conv, by_scramble = [], [], [], []
        for out in outputs:
            try:
                x, y, level = analysis.point_outputs(spec, design, runs, out, complete=method in STRUCTURED)
                if method == "sobol":
                    main, pairs = analysis.sobol(spec, y)
                    s2.append(pairs.assign(output=out))
                    if spec.design.scrambles > 1:
                        by_scramble.append(analysis.sobol_by_scramble(spec, y).assign(output=out))
                else:
                    main = analysis.indices(method, spec, x, y)
                progress = (analysis.convergence(method, spec, x, y)
                            if method != "efast" and spec.design.method != "grid" else None)
            except analysis.AnalysisError as exc:
                report.problems.append(f"{method}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - SALib on data it cannot take: said, the rest goes on
                report.problems.append(f"{method}: output '{out}': the analysis could not be done "
                                       f"({type(exc).__name__}: {exc})")
                continue
            main = analysis.mark_noise_floor(main, level)
            tables.append(main.assign(output=out))
            noise.append({"output": out, "method": method, "points": len(y)} | level.columns())
            if method in ("sobol", "efast"):
                report.files.append(figures.sobol_bars(main, out, fig / f"{method}_{out}.png", level.st_floor))
            elif method == "morris":
                report.files.append(figures.morris_scatter(main, out, fig / f"morris_{out}.png"))
            if progress is None:
                if spec.design.method == "grid":
                    report.notes.append(f"{method}: no convergence check on a grid (its leading points are "
                                        "not a sample of the factor space)")
                continue
            if progress["size"].nunique() < 2:
                report.notes.append(f"{method}: the design ({len(y)} points) is too small for a convergence "
                                    "check; no convergence figure")
                continue
            conv.append(progress.assign(output=out))
            report.files.append(figures.convergence_lines(conv[-1], out, fig / f"convergence_{method}_{out}.png"))
        if tables:
            _csv(_first(pd.concat(tables, ignore_index=True), "output"), store, method, report)
        if s2 and spec.design.second_order:
            _csv(_first(pd.concat(s2, ignore_index=True), "output"), store, "sobol_s2", report)
        if by_scramble:
            _csv(_first(pd.concat(by_scramble, ignore_index=True), "output"), store, "sobol_scrambles", report)
        if conv:
            _csv(_first(pd.concat(conv, ignore_index=True), "output"), store, f"convergence_{method}", report)
    if noise:
        _csv(pd.DataFrame(noise), store, "noise", report)
    return report


def discover(store: Store, expression: str, **options) -> Report:
    """PRIM boxes for a success expression: prim_boxes.csv (with the hold-out check and quasi-p-values),
    prim_trajectory.csv and two figures. An expression no run (or every run) meets is a note, not a failure."""
    report = Report()
    boxes = discovery.prim(store, expression, **options)
    _csv(discovery.table(boxes), store, "prim_boxes", report)
    _csv(boxes.trajectory, store, "prim_trajectory", report)
    report.notes.append(boxes.summary)
    if boxes.stats.empty:
        return report
    fig = store.path / "figures"
    report.files.append(figures.prim_boxes(boxes.limits, boxes.stats, discovery.bounds(store), fig / "prim_boxes.png"))
    report.files.append(figures.prim_tradeoff(boxes.trajectory, fig / "prim_tradeoff.png"))
    return report


def analyze(store: Store) -> Report:
    """Everything the spec asks for: sweep tables, planner table and sensitivity analyses."""
    return sweep_tables(store).extend(sensitivity(store))


def _first(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table[[column, *[c for c in table.columns if c != column]]]
