"""The report of an experiment store: a sweep or a sensitivity analysis (``pap-sim sweep`` / ``sensitivity``).

Sweep figures are the experiments engine's (``papsim.present.experiment_figures``): those the store holds
in ``figures/``, else drawn from its tables.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from papsim.errors import InputError
from papsim.present.report import common
from papsim.present.report.detect import design_method, read_csv, read_json
from papsim.present.report.page import IMAGE_TYPES, Image, Table, figure, image_file, table
from papsim.present.series import MAIN_SERIES, comparison_figure, store_series_table

READING_NOTES_FOR = ("morris", "sobol")  # the methods the reading notes explain
TABLE_ORDER = ("planner", "success_criteria", "sobol", "morris", "efast", "pawn", "noise", "sobol_s2",
               "prim_boxes", "failures")
MAX_BAND_GROUPS = 8  # more factor combinations than this make an unreadable band figure
CAPTIONS = {"bands": "median and 90% interval against the first planner factor",
            "heatmap": "value over the two planner factors", "sobol": "Sobol' indices S1 and ST",
            "efast": "eFAST indices S1 and ST", "morris": "Morris mu* against sigma",
            "convergence": "convergence of the indices with the design size", "prim": "scenario discovery (PRIM)"}


class StoreContext:
    """What every store report reads: the store, its manifest and spec, the design and the runs."""

    def __init__(self, folder: Path):
        from papsim.experiments.store import Store

        self.folder = folder
        self.store = Store(folder)
        self.manifest = self.store.manifest()
        self.spec_raw = read_json(folder / "spec.json")
        try:
            self.spec = self.store.spec()
        except InputError:
            self.spec = None
        self.design = self.store.design()
        self.runs = self.store.runs()
        self.ok = int((self.runs["status"] == "ok").sum()) if len(self.runs) else 0
        self.failed = int(len(self.runs) - self.ok)

    def table(self, name: str) -> pd.DataFrame | None:
        """The store's ``tables/<name>.csv``, or None."""
        path = self.folder / "tables" / f"{name}.csv"
        return read_csv(path) if path.is_file() else None

    def overview(self, kind: str, extra: list[tuple[str, object]] = ()) -> list[tuple[str, object]]:
        """The overview of the store: what it is, its design and how far it got."""
        spec, d = self.spec_raw, self.spec_raw.get("design", {})
        return [("kind", kind), ("folder", str(self.folder.resolve())), ("experiment", self.manifest.get("name")),
                ("description", spec.get("description", "")), ("model", spec.get("scenario") or spec.get("model")),
                ("days", spec.get("days", "the scenario's")), ("design", d.get("method")),
                *([("design size (n)", d.get("n"))] if d.get("method") != "grid" else []),
                ("replicates", spec.get("replicates", 1)), *extra,
                ("runs in the design", len(self.design)), ("runs done", len(self.runs)), ("ok", self.ok),
                ("failed", self.failed), ("root seed", self.manifest.get("root_seed")),
                ("created", self.manifest.get("created"))]

    def runs_table(self) -> Table | None:
        """Every run of the store (without tracebacks)."""
        return table(self.runs.drop(columns=["traceback"], errors="ignore")) if len(self.runs) else None

    def failures(self) -> Table | None:
        """The errors of the failed runs, with how many runs each stopped."""
        if not self.failed:
            return None
        errors = self.runs.loc[self.runs["status"] != "ok", "error"].value_counts()
        return table(errors.rename_axis("error").reset_index(name="runs"))

    def context(self, kind: str, extra: list[tuple[str, object]] = ()) -> dict[str, object]:
        """What the shared sections of a store report read: overview, runs, seeds, sessions, versions."""
        return {
            **common.base_context(self.folder, kind, {"python": self.manifest.get("python", "?"),
                                                      **self.manifest.get("packages", {})}),
            "overview": self.overview(kind, extra), "pending": len(self.design) - len(self.runs),
            "runs": self.runs_table(), "failures": self.failures(),
            "root_seed": self.manifest.get("root_seed"),
            "crn": self.spec_raw.get("common_random_numbers", False),
            "design_seeds": table(self.design[["run_id", "point", "replicate", "seed"]], 20),
            "sessions": table(pd.DataFrame(self.manifest.get("sessions", [])), 100),
        }


def caption(stem: str) -> str:
    """The caption of an engine figure, from its file name."""
    return f"{stem.replace('_', ' ')}: {CAPTIONS.get(stem.split('_')[0], 'figure of the experiment')}"


def _drawn_figures(folder: Path, spec, tmp: Path) -> list[Path]:
    """The engine's figures drawn into ``tmp`` from the store's tables."""
    from papsim.present import experiment_figures as figures

    tables, drawn = folder / "tables", []
    planner, by = tables / "planner.csv", spec.analysis.planner_by
    if planner.is_file() and by and len(by) <= 2:
        t = read_csv(planner)
        hue = by[1] if len(by) > 1 else None
        banded = [c.removesuffix("_median") for c in t.columns if c.endswith("_median")]
        for col in (c for c in banded if f"{c}_p05" in t and f"{c}_p95" in t):
            drawn.append(figures.outcome_bands(t, by[0], hue, col, tmp / f"bands_{col}.png"))
            if hue:
                drawn.append(figures.heatmap(t, by[0], hue, f"{col}_median", tmp / f"heatmap_{col}.png"))
    for method in ("sobol", "efast", "morris"):
        path = tables / f"{method}.csv"
        if path.is_file():
            for output, g in read_csv(path).groupby("output"):
                target = tmp / f"{method}_{output}.png"
                drawn.append(figures.morris_scatter(g, output, target) if method == "morris"
                             else figures.sobol_bars(g, output, target))
    return drawn


def engine_figures(folder: Path, spec) -> list[Image]:
    """The engine's figures: those in ``figures/``, else drawn from the tables with its figure functions."""
    fig_dir = folder / "figures"
    files = sorted(p for p in fig_dir.iterdir() if p.suffix.lower() in IMAGE_TYPES) if fig_dir.is_dir() else []
    if files:
        return [image_file(p, caption(p.stem)) for p in files]
    if spec is None or not (folder / "tables").is_dir():
        return []
    with tempfile.TemporaryDirectory() as tmp:
        return [image_file(p, caption(p.stem)) for p in _drawn_figures(folder, spec, Path(tmp))]


def series_bands(store, spec) -> tuple[list[Image], str]:
    """Time-series bands per combination of the planner factors, from the store's daily series (and a note
    when there are too many combinations to draw)."""
    try:
        t = store_series_table(store, spec.analysis.planner_by[:2])
    except (ValueError, KeyError):
        return [], ""
    outcomes = [o for o in MAIN_SERIES if o in t] or \
        [c for c in t.columns if c not in ("run", "day", "seed", "scenario", *spec.factor_names)][:8]
    if not outcomes:
        return [], ""
    if t["scenario"].nunique() > MAX_BAND_GROUPS:
        return [], "Too many factor combinations for a readable band figure."
    fig = comparison_figure(t, outcomes, "Daily series per design cell: median, 50% and 90% of runs")
    return [figure(fig, "Daily series stored with the runs, per combination of the planner factors.")], ""


def _tables(folder: Path) -> list[tuple[str, Table]]:
    """The analysis tables of the store, the planner's first (convergence and PRIM trajectories left out)."""
    paths = sorted((folder / "tables").glob("*.csv")) if (folder / "tables").is_dir() else []
    paths.sort(key=lambda p: (TABLE_ORDER.index(p.stem) if p.stem in TABLE_ORDER else len(TABLE_ORDER), p.stem))
    return [(p.stem.replace("_", " "), table(read_csv(p))) for p in paths
            if p.stem not in ("runs", "prim_trajectory") and not p.stem.startswith("convergence")]


def context(folder: Path, kind: str) -> dict[str, object]:
    """What ``store.html.j2`` shows of a sweep or sensitivity store."""
    ctx = StoreContext(folder)
    spec_raw, spec = ctx.spec_raw, ctx.spec
    methods = {design_method(spec_raw), *spec_raw.get("analysis", {}).get("methods", [])}
    bands, bands_note = series_bands(ctx.store, spec) if spec is not None and spec.analysis.planner_by and \
        spec.series != "none" else ([], "")
    scen = spec_raw.get("scenario")
    params = common.scenario_params(scen)
    if params is not None:
        params.update({name: "(varied: see Factors)" for name in spec_raw.get("factors", {})})
    kinds = {"sweep": "Sweep report", "sensitivity": "Sensitivity analysis report"}
    return {
        **ctx.context(kind),
        "title": f"{kinds[kind]}: {ctx.manifest.get('name', folder.name)}",
        "factors": table(common.factor_table(spec_raw, "factor"), 500),
        "reading_notes": kind == "sensitivity" and bool(methods & set(READING_NOTES_FOR)),
        "images": engine_figures(folder, spec) + bands, "bands_note": bands_note,
        "tables": _tables(folder),
        "scenario": common.scenario_view(Path(scen).stem, scen, common.scenario_description(scen)) if scen else None,
        "spec_json": json.dumps(spec_raw, indent=2),
        "parameters": common.parameters(params, "The base scenario's parameters as on disk now; the factors are "
                                                "varied by the design.") if params is not None else None,
    }
