"""The report of one run (``pap-sim run``): outcomes, figures, key sites, scenario, parameters, seed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from papsim.outcomes import HEADLINE, summary_key
from papsim.present import format as fmt
from papsim.present.report import common
from papsim.present.report.detect import read_csv, read_json
from papsim.present.report.page import figure, image_file, images_in, table
from papsim.present.series import MAIN_SERIES, series_figure

# What the outcome tables of runs and comparisons show after the headline series, by summary key.
INDICATORS = ("people_freed", "cost_per_person_freed_usd", "days_to_gang_pop_below_50", "election_ready_day",
              "key_sites_closed_days_total")
OUTCOME_KEYS = (*(summary_key(name) for name in HEADLINE), *INDICATORS)
FURTHER_SERIES = ("deaths_by_gangs", "deaths_by_security", "deaths_by_vigilantes", "executions", "deaths_gang",
                  "deaths_hnp", "deaths_mss", "kidnappings", "arrests", "gang_members", "key_sites_held",
                  "hnp_personnel", "hnp_capacity", "displaced_in_sites", "displaced_hosted", "displaced_outside")
EVENT_SUMS = ("killed_residents", "killed_gang", "killed_hnp", "killed_mss", "wounded_hnp", "wounded_mss", "arrested")
WRITTEN_BY_RUN = {"control_maps.png", "timeseries.png"}


def outcome_table(summary: dict) -> pd.DataFrame:
    """The main outcomes of one run's summary, labelled and formatted by the catalogue."""
    return pd.DataFrame([{"outcome": common.label_of(key), "value": fmt.value(summary[key], key)}
                         for key in OUTCOME_KEYS if key in summary])


def violence_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events log (``events.parquet``) by kind of event: how many, who was killed and wounded, the arrests
    and what the events achieved."""
    rows = []
    for kind, group in events.groupby("kind", sort=False):
        outcomes = group["outcome"].value_counts()
        rows.append({"event": kind, "started by": group["initiator"].iloc[0], "events": len(group),
                     **{name.replace("_", " "): round(float(group[name].sum()), 1) for name in EVENT_SUMS},
                     "outcomes": ", ".join(f"{n} {o}" for o, n in outcomes.items())})
    return pd.DataFrame(rows)


def summary_table(summary: dict) -> pd.DataFrame:
    """Every key of the summary with its value, each formatted by its own kind."""
    return pd.DataFrame({"indicator": list(summary), "value": [fmt.value(v, k) for k, v in summary.items()]})


def context(folder: Path) -> dict[str, object]:
    """What ``run.html.j2`` shows of the run folder ``folder``."""
    info = read_json(folder / "summary.json")
    ts = read_csv(folder / "timeseries.csv")
    summary = info.get("summary", {})
    seed = info.get("seed")
    days = info.get("days", int(ts["day"].iloc[-1]) if "day" in ts else len(ts) - 1)
    scenario = info.get("scenario", folder.name)
    images = []
    if (folder / "control_maps.png").is_file():
        images.append(image_file(folder / "control_maps.png", "Control of the city at the start, middle and end of "
                                 "the run (from the run folder)."))
    if all(name in ts for name in MAIN_SERIES):
        images.append(figure(series_figure(ts, f"{scenario}, seed {seed}"),
                             "Main outcomes over the run (daily; flows as 7-day means)."))
    more = [name for name in FURTHER_SERIES if name in ts]
    if more:
        images.append(figure(series_figure(ts, "Violence, forces and gangs", more),
                             "Further outcomes over the run (flows as 7-day means)."))
    images += images_in(folder, WRITTEN_BY_RUN)
    file = info.get("scenario_file")
    return {
        **common.base_context(folder, "run"),
        "title": f"Run report: {scenario}, seed {seed}",
        "info": info, "seed": seed, "days": days,
        "outcomes": table(outcome_table(summary), 100), "summary": table(summary_table(summary), 1000),
        "images": images,
        "sites": table(read_csv(folder / "sites.csv"), 200) if (folder / "sites.csv").is_file() else None,
        "violence": table(violence_table(pd.read_parquet(folder / "events.parquet")))
        if (folder / "events.parquet").is_file() else None,
        "scenario": common.scenario_view(str(info.get("scenario", "")), file),
        "parameters": common.parameters(info.get("parameters", {}), "Every parameter of the run, as saved in "
                                        "summary.json; sources from the parameter registry (marks as in the "
                                        "record: [V] verified, [S] secondary, [NV] not verified, [D] derived)."),
        "reproduce": f"pap-sim run {file} --seed {seed} --days {days} --out {folder}" if file else None,
    }
