"""``pap-sim run``: one scenario, its time series, summary and figures."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from pathlib import Path

from papsim.cli.args import at_least
from papsim.errors import InputError
from papsim.kernels import select as select_kernels
from papsim.scenario import BASELINE, load_scenario

RESULTS_DIR = Path("results")
SUMMARY_ROWS = (
    ("gang_population_share", "Residents under gang control", "{:.1%}"),
    ("gang_territory_share", "Cells under gang control", "{:.1%}"),
    ("deaths_civilian", "Civilians killed", "{:,.0f}"),
    ("kidnappings", "Kidnappings", "{:,.0f}"),
    ("displaced_total", "Displaced (cumulative)", "{:,.0f}"),
    ("mss_personnel", "MSS personnel", "{:,.0f}"),
    ("hnp_personnel", "HNP on duty in the metro area", "{:,.0f}"),
    ("trust", "Trust in the mission", "{:.1%}"),
    ("humanitarian_access", "Humanitarian access", "{:.1%}"),
    ("funds_spent", "Mission spending (USD)", "{:,.0f}"),
)


def _json_default(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else str(value)


def _clean(summary: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in summary.items()}


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write its time series, summary and figures."""
    from papsim.present import plots
    from papsim.runner import run

    scenario = load_scenario(args.scenario)
    days = args.days if args.days is not None else scenario.days
    if days < 1:
        raise InputError(f"--days = {days} is not allowed; expected an int in [1, 3650]")
    scenario = scenario.replace(days=days)
    out = Path(args.out) if args.out else RESULTS_DIR / f"{scenario.name}-seed{args.seed}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    result = run(scenario, seed=args.seed, snapshot_days=(0, days // 2, days))
    ts = result.timeseries
    ts.to_csv(out / "timeseries.csv", index=False)
    result.sites.to_csv(out / "sites.csv", index=False)
    payload = {"scenario": scenario.name, "scenario_file": str(scenario.path), "seed": args.seed, "days": days,
               "start_date": str(scenario.start_date), "kernels": select_kernels().name,
               "parameters": scenario.params,
               "summary": _clean(result.summary)}
    (out / "summary.json").write_text(json.dumps(payload, indent=2, default=_json_default))
    plots.control_maps(result, out / "control_maps.png")
    plots.timeseries_panels(result, out / "timeseries.png")
    if not args.quiet:
        print(f"{scenario.name}: {days} days from {scenario.start_date}, seed {args.seed}")
        print(f"{'outcome':<34}{'start':>16}{'end':>16}")
        for name, label, fmt in SUMMARY_ROWS:
            start = ts[name].iloc[0] if name not in ("deaths_civilian", "kidnappings") else 0.0
            end = ts[name].iloc[-1] if name not in ("deaths_civilian", "kidnappings") else ts[name].sum()
            print(f"{label:<34}{fmt.format(start):>16}{fmt.format(end):>16}")
        closed = int(result.sites["days_closed"].sum())
        print(f"{'Key-site closure days (all sites)':<34}{'':>16}{closed:>16,}")
        print(f"results written to {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim run``."""
    p = sub.add_parser("run", help="run one scenario and write results and figures")
    p.add_argument("scenario", nargs="?", default=str(BASELINE), help="scenario TOML file (default: baseline)")
    p.add_argument("--seed", type=at_least(0), default=1, help="random seed (default 1)")
    p.add_argument("--days", type=at_least(0), default=None, help="days to simulate (default: the scenario's)")
    p.add_argument("--out", default=None, help="output folder (default: a new folder under results/)")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_run)
