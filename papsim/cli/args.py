"""Argument types shared by the command-line modules."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum`` (bad values exit 2 with one line)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {value}")
        return value

    return parse


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """``-q``/``--quiet``, on every subcommand: print nothing but warnings and errors (on stderr)."""
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing but warnings and errors (no progress bar, summary or notes)")


def add_execution_options(parser: argparse.ArgumentParser, resume_help: str) -> None:
    """The options of every command that runs the model through the experiments engine: where the runs
    execute, on how many workers, resuming a store, and quiet."""
    parser.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                        help="where runs execute (default processes: all local cores)")
    parser.add_argument("--workers", type=at_least(1), default=None, help="parallel workers (default: all cores)")
    parser.add_argument("--resume", action="store_true", help=resume_help)
    add_quiet(parser)
