"""The command line: the only place that parses arguments and prints; a thin layer over the Python API.

Exit codes: 0 done, 1 the run failed, 2 bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from papsim.cli import calibrate, compare, docs, experiments, params, report, run, viz
from papsim.errors import InputError

COMMANDS = (run, params, experiments, compare, calibrate, docs, report, viz)  # each adds its subcommands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pap-sim", description=__doc__.splitlines()[0] + " See README.md.")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


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
