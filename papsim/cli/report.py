"""``pap-sim report``: one self-contained HTML report of a results folder."""

from __future__ import annotations

import argparse

from papsim.cli.args import add_quiet
from papsim.present.report import build


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of a results folder."""
    out = build(args.dir, args.out)
    if not args.quiet:
        print(f"report written to {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim report`` to the command line."""
    p = sub.add_parser("report", help="write one self-contained HTML report of a results folder",
                       description="Write one self-contained HTML file (figures embedded) of a run, a comparison "
                                   "(folders of runs), a sweep, a sensitivity analysis or a calibration.")
    p.add_argument("dir", help="results folder")
    p.add_argument("--out", default=None, help="HTML file to write (default: DIR/report.html)")
    add_quiet(p)
    p.set_defaults(func=cmd_report)
