"""The command line: the only place that parses arguments and prints; a thin layer over the Python API.

Exit codes: 0 done, 1 the run failed, 2 bad input (one line on stderr, never a traceback), 141 the reader
of the output closed it early (as ``pap-sim params | head -1``: nothing more is printed).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import warnings
from typing import TextIO

from papsim import __version__
from papsim.errors import InputError

# each subcommand and the module of papsim.cli that adds it, in the order of the help: a call imports only
# the module of its command (all of them import pandas, matplotlib, SciPy, Mesa and Dask's client, seconds
# on a slow machine); tests/test_cli_options.py holds this table to what the modules add
COMMANDS: dict[str, str] = {"run": "run", "library": "library", "params": "params", "sweep": "experiments",
                            "sensitivity": "experiments", "analyze": "experiments", "discover": "experiments",
                            "compare": "compare", "calibrate": "calibrate", "docs": "docs", "report": "report",
                            "viz": "viz"}
MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or, when ``argv`` names one, of its module's subcommands only."""
    called = next((arg for arg in argv if not arg.startswith("-")), None) if argv else None
    parser = argparse.ArgumentParser(prog="pap-sim", description=__doc__.splitlines()[0] + " See README.md.")
    parser.add_argument("--version", action="version", version=f"pap-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                help="one of these (pap-sim COMMAND --help for its options)")
    for module in [COMMANDS[called]] if called in COMMANDS else MODULES:
        importlib.import_module(f"papsim.cli.{module}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
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
