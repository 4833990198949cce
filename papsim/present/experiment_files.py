"""Write a store's CSV tables and figures: the sweep tables, the sensitivity analyses, scenario discovery.

Each analysis that cannot be done (a failed run in a Sobol' design, say) is skipped with a one-line
problem in the report; the others are still written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from papsim.experiments import analysis, discovery
from papsim.present import experiment_figures as figures
from papsim.experiments.store import Store

STRUCTURED = ("sobol", "morris", "efast")  # need every run of their own design


@dataclass
class Report:
    """The files an analysis wrote and the analyses it could not do."""

    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def extend(self, other: Report) -> Report:
        self.files += other.files
        self.problems += other.problems
        return self


def _csv(table: pd.DataFrame, store: Store, name: str, report: Report) -> None:
    path = store.path / "tables" / f"{name}.csv"
    table.to_csv(path, index=False)
    report.files.append(path)


def sweep_tables(store: Store) -> Report:
    """runs.csv (every run, without tracebacks), failures.csv, and the planner table and its figures."""
    report = Report()
    spec, runs = store.spec(), store.runs()
    _csv(runs.drop(columns=["traceback"], errors="ignore"), store, "runs", report)
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        cols = ["run_id", "point", "replicate", "seed", *spec.factor_names, "error", "traceback"]
        _csv(failed[cols], store, "failures", report)
    if spec.analysis.planner_by and len(runs):
        report.extend(planner(store, runs))
    return report


def planner(store: Store, runs: pd.DataFrame) -> Report:
    """The planner table (median, 90% interval, success probabilities per factor combination) and figures."""
    report = Report()
    spec = store.spec()
    outputs = [o for o in analysis.output_names(spec, runs) if o in runs]
    table = analysis.planner_table(spec, runs, outputs)
    drawn = [o for o in spec.outputs if o in runs]  # figures only for the outputs of interest
    _csv(table, store, "planner", report)
    if spec.analysis.success:
        _csv(analysis.criteria_table(spec), store, "success_criteria", report)
    by = spec.analysis.planner_by
    fig_dir = store.path / "figures"
    hue = by[1] if len(by) > 1 else None
    pooled = table if len(by) <= 2 else _pool(runs, spec, by[:2], drawn)
    for out in drawn:
        report.files.append(figures.outcome_bands(pooled, by[0], hue, out, fig_dir / f"bands_{out}.png"))
        if hue and pooled[f"{out}_median"].notna().any():
            report.files.append(figures.heatmap(pooled, by[0], hue, f"{out}_median",
                                                fig_dir / f"heatmap_{out}.png"))
    if hue and spec.analysis.success:
        report.files.append(figures.heatmap(pooled, by[0], hue, "p_success_all",
                                            fig_dir / "heatmap_p_success_all.png"))
    return report


def _pool(runs: pd.DataFrame, spec, by: tuple[str, ...], outputs: list[str]) -> pd.DataFrame:
    """The planner table over the first two factors only (others pooled), for two-dimensional figures."""
    return analysis.planner_table(replace(spec, analysis=replace(spec.analysis, planner_by=by)), runs, outputs)


def sensitivity(store: Store) -> Report:
    """The spec's sensitivity analyses for each output of interest, with noise shares and convergence."""
    report = Report()
    spec, design, runs = store.spec(), store.design(), store.runs()
    if runs.empty:
        report.problems.append(f"{store.path}: no runs yet; nothing to analyse")
        return report
    outputs = analysis.output_names(spec, runs)
    noise = []
    for method in spec.analysis.methods:
        tables, s2, conv = [], [], []
        for out in outputs:
            try:
                x, y, share = analysis.point_outputs(spec, design, runs, out, complete=method in STRUCTURED)
                if method == "sobol":
                    main, pairs = analysis.sobol(spec, y)
                    s2.append(pairs.assign(output=out))
                else:
                    main = analysis.indices(method, spec, x, y)
                if method != "efast":
                    conv.append(analysis.convergence(method, spec, x, y).assign(output=out))
            except analysis.AnalysisError as exc:
                report.problems.append(f"{method}: {exc}")
                continue
            tables.append(main.assign(output=out, noise_share=share))
            noise.append({"output": out, "method": method, "points": len(y), "noise_share": share})
            fig = store.path / "figures"
            if method in ("sobol", "efast"):
                report.files.append(figures.sobol_bars(main, out, fig / f"{method}_{out}.png"))
            elif method == "morris":
                report.files.append(figures.morris_scatter(main, out, fig / f"morris_{out}.png"))
            if conv:
                report.files.append(figures.convergence_lines(conv[-1], out, fig / f"convergence_{method}_{out}.png"))
        if tables:
            _csv(_first(pd.concat(tables, ignore_index=True), "output"), store, method, report)
        if s2 and spec.design.second_order:
            _csv(_first(pd.concat(s2, ignore_index=True), "output"), store, "sobol_s2", report)
        if conv:
            _csv(_first(pd.concat(conv, ignore_index=True), "output"), store, f"convergence_{method}", report)
    if noise:
        _csv(pd.DataFrame(noise), store, "noise", report)
    return report


def discover(store: Store, expression: str, **options) -> Report:
    """PRIM boxes for a success expression: prim_boxes.csv, prim_trajectory.csv and two figures."""
    report = Report()
    boxes = discovery.prim(store, expression, **options)
    _csv(discovery.table(boxes), store, "prim_boxes", report)
    _csv(boxes.trajectory, store, "prim_trajectory", report)
    fig = store.path / "figures"
    report.files.append(figures.prim_boxes(boxes.limits, boxes.stats, discovery.bounds(store), fig / "prim_boxes.png"))
    report.files.append(figures.prim_tradeoff(boxes.trajectory, fig / "prim_tradeoff.png"))
    return report


def analyze(store: Store) -> Report:
    """Everything the spec asks for: sweep tables, planner table and sensitivity analyses."""
    return sweep_tables(store).extend(sensitivity(store))


def _first(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table[[column, *[c for c in table.columns if c != column]]]
