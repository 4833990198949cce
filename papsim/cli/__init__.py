"""The command line: the only place that parses arguments and prints; a thin layer over the Python API.

Exit codes: 0 done, 1 the run failed, 2 bad input (one line on stderr, never a traceback), 141 the reader
of the output closed it early (as ``pap-sim params | head -1``: nothing more is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from typing import TextIO

from papsim import __version__
from papsim.cli import calibrate, compare, docs, experiments, library, params, report, run, viz
from papsim.errors import InputError

COMMANDS = (run, library, params, experiments, compare, calibrate, docs, report, viz)  # each adds its subcommands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pap-sim", description=__doc__.splitlines()[0] + " See README.md.")
    parser.add_argument("--version", action="version", version=f"pap-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                help="one of these (pap-sim COMMAND --help for its options)")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():  # restored on return: main() may be called again (the tests do)
            warnings.showwarning = _one_line
            code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, rather than at exit
        return code
    except BrokenPipeError:  # the reader has gone: end quietly, and keep the exit-time flush from failing too
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
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


def _one_line(message: Warning | str, category: type[Warning], filename: str, lineno: int,
              file: TextIO | None = None, line: str | None = None) -> None:
    """A warning as one line on stderr (a stale calibration, a twin that falls back), not Python's two."""
    print(f"pap-sim: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
