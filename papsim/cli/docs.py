"""``pap-sim docs``: regenerate or check the generated tables of docs/ODD.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from papsim.cli.args import add_quiet
from papsim.errors import InputError
from papsim.present.odd import ODD, render, update


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim docs``."""
    p = sub.add_parser("docs", help="regenerate the parameter and output tables of docs/ODD.md",
                       description="Rewrite the sections of docs/ODD.md generated from the registry, the "
                                   "calibrated scenario and the outputs (or check them with --check).")
    p.add_argument("--file", default=str(ODD), help="the ODD document (default docs/ODD.md)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if the file is out of date")
    add_quiet(p)
    p.set_defaults(func=cmd_docs)


def cmd_docs(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.check:
        if not path.is_file():
            raise InputError(f"{path}: not found")
        text = path.read_text()
        if render(text, str(path)) != text:
            print(f"{path}: the generated tables are out of date; run 'pap-sim docs'", file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"{path}: up to date")
        return 0
    changed = update(path)
    if not args.quiet:
        print(f"{path}: {'rewritten' if changed else 'already up to date'}")
    return 0
