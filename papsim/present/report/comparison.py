"""The report of a comparison: a folder of ``pap-sim run`` folders, or a ``pap-sim compare`` store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from papsim.outcomes import outcome_of
from papsim.present import format as fmt
from papsim.present.report import common
from papsim.present.report.detect import read_csv, read_json, run_dirs
from papsim.present.report.page import figure, images_in, table
from papsim.present.report.run import OUTCOME_KEYS
from papsim.present.report.store import StoreContext
from papsim.present.series import MAIN_SERIES, comparison_figure, outcome_intervals_figure, store_series_table

INTERVAL_KEYS = ("gang_population_share_final", "deaths_civilian_total", "displaced_total_final",
                 "funds_spent_final")  # the end-of-run interval figure
COMPARE_SERIES = ("gang_population_share", "deaths_civilian_cum", "mss_personnel", "humanitarian_access")


def _params_key(info: dict) -> tuple[str, str]:
    return str(info.get("scenario", "?")), json.dumps(info.get("parameters", {}), sort_keys=True, default=str)


def _labels(infos: list[dict]) -> dict[tuple[str, str], str]:
    """A label per distinct (scenario name, parameters); variants of one name get the values that differ."""
    variants: dict[str, list[dict]] = {}
    keys = list(dict.fromkeys(_params_key(info) for info in infos))
    for name, pjson in keys:
        variants.setdefault(name, []).append(json.loads(pjson))
    labels = {}
    for name, pjson in keys:
        params = json.loads(pjson)
        differ = [k for k in params if any(v.get(k) != params.get(k) for v in variants[name])]
        labels[(name, pjson)] = name if len(variants[name]) == 1 else \
            name + " (" + ", ".join(f"{k} = {params[k]}" for k in differ[:3]) + ")"
    return labels


def load_runs(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """The runs under ``folder``: (daily series, summaries, the first run's summary.json per scenario label).

    Runs are grouped by scenario name and parameters; variants of one name are labelled by the values
    that differ."""
    infos = [(p, read_json(p / "summary.json")) for p in run_dirs(folder)]
    labels = _labels([info for _, info in infos])
    series, summaries, first_of = [], [], {}
    for p, info in infos:
        label = labels[_params_key(info)]
        first_of.setdefault(label, info)
        series.append(read_csv(p / "timeseries.csv").assign(scenario=label, seed=info.get("seed"), run=p.name))
        summaries.append({"scenario": label, "seed": info.get("seed"), "run": p.name, "days": info.get("days"),
                          **info.get("summary", {})})
    ts = pd.concat(series, ignore_index=True)
    ts["scenario"] = pd.Categorical(ts["scenario"], categories=list(dict.fromkeys(labels.values())), ordered=True)
    return ts, pd.DataFrame(summaries), first_of


def interval_table(summaries: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome, one column per scenario: median [5%–95%] over its runs."""
    groups = list(dict.fromkeys(summaries["scenario"]))
    rows = []
    for key in (k for k in OUTCOME_KEYS if k in summaries):
        row = {"outcome": common.label_of(key)}
        for label in groups:
            v = summaries.loc[summaries["scenario"] == label, key].dropna().astype(float)
            row[label] = fmt.interval(*v.quantile([0.5, 0.05, 0.95]), key) if len(v) else fmt.MISSING
        rows.append(row)
    return pd.DataFrame(rows)


def _title(names: list[str]) -> str:
    return f"Comparison report: {', '.join(names[:4])}{' …' if len(names) > 4 else ''}"


def context(folder: Path) -> dict[str, object]:
    """What ``comparison.html.j2`` shows of a folder of run folders."""
    ts, summaries, first_of = load_runs(folder)
    labels = list(first_of)
    counts = summaries.groupby("scenario", sort=False).agg(runs=("run", "count"), days=("days", "max")).reset_index()
    images = [figure(comparison_figure(ts, [o for o in MAIN_SERIES if o in ts]),
                     "Each scenario's median over its runs (line) with the ranges holding 50% (dark band) and 90% "
                     "(light band) of the runs, day by day.")]
    keys = [k for k in INTERVAL_KEYS if k in summaries]
    if keys:
        images.append(figure(outcome_intervals_figure(summaries, keys),
                             "End-of-run outcomes per scenario: median, 50% and 90% of runs."))
    seeds = summaries.groupby("scenario", sort=False)["seed"].apply(lambda s: ", ".join(str(v) for v in s))
    return {
        **common.base_context(folder, "comparison"),
        "title": _title(labels), "n_scenarios": len(labels), "n_runs": len(summaries),
        "counts": table(counts, 200), "images": images + images_in(folder),
        "intervals": table(interval_table(summaries), 200), "summaries": table(summaries, 500),
        "scenarios": [(label, common.scenario_view(str(info.get("scenario", "")), info.get("scenario_file")))
                      for label, info in first_of.items()],
        "parameters": common.parameters_between({label: info.get("parameters", {}) for label, info in first_of.items()},
                                                "Every parameter of the runs, as saved in their summary.json."),
        "seeds": table(seeds.reset_index(), 200),
    }


def _outcome_label(row: pd.Series) -> str:
    """The catalogue's label of a compare table row's column, else the label the table gives."""
    try:
        return outcome_of(row["column"]).label
    except KeyError:
        return str(row.get("label", row["outcome"]))


def compare_pivot(compare: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``tables/compare.csv`` as one row per outcome and horizon, one column per scenario."""
    t = compare.assign(label=compare.apply(_outcome_label, axis=1),
                       cell=[fmt.interval(m, a, b, c) for m, a, b, c in
                             zip(compare["median"], compare["p05"], compare["p95"], compare["column"])])
    wide = t.pivot_table(index=["label", "horizon"], columns="scenario", values="cell", aggfunc="first", sort=False)
    return wide[[n for n in names if n in wide.columns]].reset_index().rename(columns={"label": "outcome"})


def differences_table(diffs: pd.DataFrame) -> pd.DataFrame:
    """``tables/differences.csv`` with the differences formatted in their outcome's unit."""
    return pd.DataFrame({
        "scenario": diffs["scenario"], "reference": diffs["reference"],
        "outcome": diffs.apply(_outcome_label, axis=1), "horizon": diffs["horizon"],
        "difference: median [5%–95%]": [fmt.interval(m, a, b, c) for m, a, b, c in zip(
            diffs["median_difference"], diffs["p05"], diffs["p95"], diffs["column"])],
        "replicates better": [fmt.value(v, "share") for v in diffs["share_better"]], "pairs": diffs["pairs"],
        **({"pairing: correlation": [fmt.value(v, "share") for v in diffs["pairing_correlation"]],
            "pairing: variance reduction": [fmt.value(v, "share") for v in diffs["pairing_variance_reduction"]]}
           if "pairing_correlation" in diffs else {})})


def store_context(folder: Path) -> dict[str, object]:
    """What ``compare_store.html.j2`` shows of a ``pap-sim compare`` store."""
    ctx = StoreContext(folder)
    scen = ctx.table("scenarios")
    names = list(scen["scenario"]) if scen is not None else \
        [f"scenario {int(v)}" for v in ctx.spec_raw["factors"]["scenario_index"]["values"]]
    images = images_in(folder / "figures", caption="{} (written by pap-sim compare)")
    try:
        ts = store_series_table(ctx.store, ["scenario_index"], label=lambda v: names[int(v["scenario_index"])])
    except (ValueError, KeyError, IndexError):
        ts = None
    if ts is not None:
        outcomes = [c for c in COMPARE_SERIES if c in ts] or \
            [c for c in ts.columns if c not in ("run", "day", "seed", "scenario", "scenario_index")][:8]
        if outcomes:
            images.append(figure(comparison_figure(ts, outcomes, ncols=min(4, len(outcomes))),
                                 "Each scenario's median over its replicates (line) with the ranges holding 50% "
                                 "(dark band) and 90% (light band) of them, day by day."))
    compare, diffs = ctx.table("compare"), ctx.table("differences")
    params_of = {}
    for row in scen.itertuples(index=False) if scen is not None else ():
        params = common.scenario_params(row.file)
        if params is not None:
            params_of[row.scenario] = params
    return {
        **ctx.context("comparison", [("scenarios", len(names))]),
        "title": _title(names), "scenario_table": table(scen, 100) if scen is not None else None,
        "images": images,
        "compare": table(compare_pivot(compare, names), 400) if compare is not None else None,
        "differences": table(differences_table(diffs), 400) if diffs is not None else None,
        "scenarios": [(row.scenario, common.scenario_view(row.scenario, row.file, row.description))
                      for row in (scen.itertuples(index=False) if scen is not None else ())],
        "parameters": common.parameters_between(params_of, "The scenario files as they are on disk now."),
    }
