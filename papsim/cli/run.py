"""``pap-sim run``: one scenario (a file or a name in the library), its time series, summary, figures and
provenance."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd

from papsim import atomic, provenance
from papsim.cli.args import add_quiet, at_least
from papsim.errors import InputError
from papsim.indicators import value_at
from papsim.kernels import select as select_kernels
from papsim.outcomes import BY_NAME, HEADLINE, summary_key
from papsim.present import format as fmt
from papsim.scenario import load_scenario, resolve_scenario

RESULTS_DIR = Path("results")
PRINTED_TOTALS = ("key_sites_closed_days_total",)  # indicators printed after the headline series


def _json_default(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else str(value)


def _clean(summary: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in summary.items()}


def summary_rows(ts: pd.DataFrame, summary: dict) -> list[tuple[str, str, str]]:
    """(label, start, end) of the headline series (flows: the total to the end) and of the printed
    indicators, labelled and formatted by the catalogue."""
    rows = [(BY_NAME[name].label, fmt.value(value_at(ts, name, 0), name), fmt.value(summary[summary_key(name)], name))
            for name in HEADLINE]
    return rows + [(BY_NAME[key].label, "", fmt.value(summary[key], key)) for key in PRINTED_TOTALS]


def summary_text(ts: pd.DataFrame, summary: dict) -> str:
    """The run's summary as an aligned plain-text table."""
    rows = [("outcome", "start", "end"), *summary_rows(ts, summary)]
    width = max(len(label) for label, _, _ in rows) + 2
    return "\n".join(f"{label:<{width}}{start:>14}{end:>14}" for label, start, end in rows)


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its time series, summary, figures and provenance."""
    from papsim.present.maps import control_maps
    from papsim.present.series import timeseries_panels
    from papsim.runner import run

    scenario = load_scenario(resolve_scenario(args.scenario))
    days = args.days if args.days is not None else scenario.days
    if days < 1:
        raise InputError(f"--days = {days} is not allowed; expected an int in [1, 3650]")
    scenario = scenario.replace(days=days)
    out = Path(args.out) if args.out else RESULTS_DIR / f"{scenario.name}-seed{args.seed}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    block = provenance.provenance([scenario])  # before the run: a stale calibration is said at once
    out.mkdir(parents=True, exist_ok=True)
    result = run(scenario, seed=args.seed, snapshot_days=(0, days // 2, days))
    ts = result.timeseries
    with atomic.replacing(out / "timeseries.csv") as tmp:  # each output complete or absent, never truncated
        ts.to_csv(tmp, index=False)
    with atomic.replacing(out / "sites.csv") as tmp:
        result.sites.to_csv(tmp, index=False)
    with atomic.replacing(out / "communes.csv") as tmp:  # one row per day and commune
        result.communes.to_csv(tmp, index=False)
    with atomic.replacing(out / "events.parquet") as tmp:  # one row per violent event (papsim.events)
        result.events.to_parquet(tmp, index=False)
    payload = {"scenario": scenario.name, "scenario_file": str(scenario.path), "seed": args.seed, "days": days,
               "start_date": str(scenario.start_date), "kernels": select_kernels().name,
               "parameters": scenario.params,
               "summary": _clean(result.summary)}
    atomic.write_text(out / "summary.json", json.dumps(payload, indent=2, default=_json_default))
    for draw, name in ((control_maps, "control_maps.png"), (timeseries_panels, "timeseries.png")):
        with atomic.replacing(out / name) as tmp:
            draw(result, tmp)
    provenance.write(out, block)
    if not args.quiet:
        print(f"{scenario.name}: {days} days from {scenario.start_date}, seed {args.seed}")
        print(summary_text(ts, result.summary))
        print(f"results written to {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim run``."""
    p = sub.add_parser("run", help="run one scenario and write results and figures")
    p.add_argument("scenario", nargs="?", default="baseline",
                   help="a scenario file, or a name in the library (default baseline; pap-sim library lists them)")
    p.add_argument("--seed", type=at_least(0), default=1, help="random seed (default 1)")
    p.add_argument("--days", type=at_least(0), default=None, help="days to simulate (default: the scenario's)")
    p.add_argument("--out", default=None, help="output folder (default: a new folder under results/)")
    add_quiet(p)
    p.set_defaults(func=cmd_run)
