"""``pap-sim compare``: scenarios side by side on common random numbers."""

from __future__ import annotations

import argparse
import sys

from papsim.analyses.compare import DEFAULT_DAYS, compare, end_label
from papsim.cli.args import add_execution_options, at_least
from papsim.errors import InputError
from papsim.present.comparison_files import fmt, write


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim compare``."""
    p = sub.add_parser("compare", help="run scenarios side by side on common random numbers; table and figures",
                       description="Run each scenario R times on common random numbers (replicate k of every "
                                   "scenario uses the same seed) and write a table (median and 90% interval at 6, "
                                   "12 and 24 months, milestones, cost, cost per person freed, key-site closure "
                                   "days), paired differences from a reference and figures.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario files or names in the library, e.g. no_mission mss_as_deployed gsf_5550 "
                        "(pap-sim library lists them)")
    p.add_argument("--replicates", type=at_least(1), default=20, help="replicates per scenario (default 20)")
    p.add_argument("--days", type=at_least(1), default=DEFAULT_DAYS, help=f"days to simulate (default {DEFAULT_DAYS})")
    p.add_argument("--out", default=None, help="output folder (default results/compare)")
    p.add_argument("--reference", default=None,
                   help="scenario for paired differences and cost per person freed (default: no_mission if given, "
                        "else the first)")
    p.add_argument("--seed", type=int, default=20240625, help="root seed (default 20240625)")
    add_execution_options(p, resume_help="continue a comparison store in --out")
    p.set_defaults(func=cmd_compare)


PRINTED = (("gang_population_share", "12 months", "gang pop. 12 mo"),
           ("gang_population_share", "24 months", "gang pop. 24 mo"),
           ("deaths_civilian", "24 months", "civ. killed 24 mo"), ("cost_full_usd", None, "full cost"),
           ("cost_per_person_freed_vs_reference_usd", None, "cost/person freed"),
           ("key_sites_closed_days_total", None, "site-closed days"))


def cmd_compare(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise InputError(f"--seed = {args.seed} is not allowed; expected an int >= 0")
    result = compare(args.scenarios, replicates=args.replicates, days=args.days, out=args.out, seed=args.seed,
                     reference=args.reference, executor=args.executor, workers=args.workers, resume=args.resume,
                     progress=not args.quiet)
    files = write(result)
    if not args.quiet:
        t = result.table
        shown = []
        for stem, hz, label in PRINTED:
            horizon = hz or end_label(args.days)
            if ((t["outcome"] == stem) & (t["horizon"] == horizon)).any():
                shown.append((stem, horizon, label))
        width = max(len(n) for n in result.names) + 2
        print("median over replicates (90% intervals and every outcome: tables/compare.md)")
        print(f"{'scenario':<{width}}" + "".join(f"{label:>19}" for _, _, label in shown))
        for name in result.names:
            mine = t[t["scenario"] == name]
            cells = []
            for stem, horizon, _ in shown:
                row = mine[(mine["outcome"] == stem) & (mine["horizon"] == horizon)]
                cells.append(fmt(float(row["median"].iloc[0]), stem) if len(row) else "n/a")
            print(f"{name:<{width}}" + "".join(f"{c:>19}" for c in cells))
        print(f"wrote {len(files)} tables and figures in {result.out}")
    if result.failed:
        print(f"{result.failed} runs failed; see {result.out / 'runs'}", file=sys.stderr)
        return 1
    return 0
