"""``pap-sim library``: the scenarios and experiment specs that ship with the package, and where they are."""

from __future__ import annotations

import argparse
import tomllib

from papsim.cli.args import add_quiet
from papsim.library import EXPERIMENTS
from papsim.scenario import SCENARIO_DIR, library_names, load_scenario


def _spec_description(name: str) -> str:
    with (EXPERIMENTS / f"{name}.toml").open("rb") as fh:
        return str(tomllib.load(fh).get("description", ""))


def cmd_library(args: argparse.Namespace) -> int:
    """Print the library's scenarios (names for ``pap-sim run`` and ``compare``) and experiment specs."""
    scenarios = {name: load_scenario(SCENARIO_DIR / f"{name}.toml").description for name in library_names()}
    specs = {p.stem: _spec_description(p.stem) for p in sorted(EXPERIMENTS.glob("*.toml"))}
    if args.quiet:
        return 0
    for title, folder, entries in (("scenarios", SCENARIO_DIR, scenarios), ("experiments", EXPERIMENTS, specs)):
        width = max(map(len, entries), default=0) + 2
        print(f"{title} ({folder}):")
        for name, description in entries.items():
            print(f"  {name:<{width}}{description}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim library``."""
    p = sub.add_parser("library", help="list the scenarios and experiment specs shipped with pap-sim",
                       description="List the scenarios (run or compare them by name: pap-sim run NAME) and the "
                                   "experiment specs that ship with pap-sim, with the folders they are in.")
    add_quiet(p)
    p.set_defaults(func=cmd_library)
