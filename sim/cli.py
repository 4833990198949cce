"""The command line: a thin layer over the Python API.

Exit codes: 0 done, 1 the run failed, 2 bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import traceback
from pathlib import Path

from sim.cliargs import at_least
from sim.errors import InputError
from sim.kernels import select as select_kernels
from sim.registry import PARAMETERS
from sim.scenario import BASELINE, load_scenario

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
    from sim import plots
    from sim.runner import run

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


def cmd_params(args: argparse.Namespace) -> int:
    """List the parameter registry."""
    rows = [p for p in PARAMETERS.values() if args.group in (None, p.group)]
    if args.format == "csv":
        import csv
        writer = csv.writer(sys.stdout)
        writer.writerow(["name", "default", "unit", "low", "high", "group", "source", "description"])
        for p in rows:
            writer.writerow([p.name, p.default, p.unit, p.low, p.high, p.group, p.source, p.description])
        return 0
    for p in rows:
        rng = f"[{p.low:g}, {p.high:g}]" if p.low is not None else (", ".join(p.choices) or "true/false")
        print(f"{p.name:<34} {str(p.default):>12} {p.unit:<32} {rng:<22} {p.source}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pap-sim", description=__doc__.splitlines()[0] + " See README.md.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run one scenario and write results and figures")
    p_run.add_argument("scenario", nargs="?", default=str(BASELINE), help="scenario TOML file (default: baseline)")
    p_run.add_argument("--seed", type=at_least(0), default=1, help="random seed (default 1)")
    p_run.add_argument("--days", type=at_least(0), default=None, help="days to simulate (default: the scenario's)")
    p_run.add_argument("--out", default=None, help="output folder (default: a new folder under results/)")
    p_run.add_argument("--quiet", action="store_true", help="print nothing on success")
    p_run.set_defaults(func=cmd_run)
    p_params = sub.add_parser("params", help="list the parameter registry")
    p_params.add_argument("--group", default=None, help="only this group of parameters")
    p_params.add_argument("--format", choices=("table", "csv"), default="table")
    p_params.set_defaults(func=cmd_params)
    _register_optional(sub)
    return parser


def _register_optional(sub: argparse._SubParsersAction) -> None:
    """Commands of the experiments engine, visualisation and calibration."""
    from sim.experiments import cli as experiments_cli

    experiments_cli.register(sub)
    from sim import calibration, compare, docs

    compare.register(sub)
    calibration.register(sub)
    docs.register(sub)
    from sim import report

    report.register(sub)
    p_viz = sub.add_parser("viz", help="serve the interactive map in the browser (SolaraViz)",
                           description="Serve the interactive map (map, live charts, controls for the mission's "
                                       "size, funding, posture and rules of engagement) on http://HOST:PORT/.")
    p_viz.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 for any free port)")
    p_viz.add_argument("--host", default="127.0.0.1",
                       help="interface to listen on (default 127.0.0.1, this machine only)")
    p_viz.add_argument("--open", action="store_true", help="open a browser tab")

    def _viz(args: argparse.Namespace) -> int:
        try:
            from sim import app
        except ImportError as exc:
            raise InputError(f"the interactive map needs the viz extra ({exc}); "
                             "install it with: pip install -e '.[viz]'") from None
        return app.cmd_viz(args)

    p_viz.set_defaults(func=_viz)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"pap-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pap-sim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a failed run: one line; PAP_SIM_TRACEBACK=1 shows the traceback
        print(f"pap-sim: the run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("PAP_SIM_TRACEBACK"):
            traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main())
