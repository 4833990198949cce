"""``pap-sim params``: the parameter registry as a table or CSV."""

from __future__ import annotations

import argparse
import sys

from papsim.cli.args import add_quiet
from papsim.errors import InputError
from papsim.registry import PARAMETERS

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PARAMETERS.values()))  # in the registry's order


def cmd_params(args: argparse.Namespace) -> int:
    """List the parameter registry (one group of it with ``--group``)."""
    if args.group is not None and args.group not in GROUPS:
        raise InputError(f"--group = {args.group!r} is not a group of parameters; "
                         f"expected one of {', '.join(GROUPS)}")
    if args.quiet:
        return 0
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim params``."""
    p = sub.add_parser("params", help="list the parameter registry")
    p.add_argument("--group", default=None, metavar="GROUP",
                   help=f"only this group of parameters: {', '.join(GROUPS)}")
    p.add_argument("--format", choices=("table", "csv"), default="table",
                   help="an aligned table (default) or CSV with every field")
    add_quiet(p)
    p.set_defaults(func=cmd_params)
