"""Upper bounds on every size a spec or a command line gives, checked before any work starts.

A size past its bound is a typo, never an experiment, and without a bound it hangs or exhausts memory
before the first run: ``replicates = 10**9`` asks for a 15 GiB design table, Morris with ``n = 10**7``
samples for minutes, ``days = 10**6`` outlasts the 3,650 days a scenario may run. Each bound is far above
the shipped experiments (the largest has 14,336 runs of 365 days).
"""

from __future__ import annotations

import math
from typing import Any

MAX_DAYS = 3650  # as a scenario's days and `pap-sim run --days`
MAX_RUNS = 1_000_000  # runs in a design (points x replicates): its table and seeds are built in memory first
MAX_REPLICATES = 10_000
MAX_LEVELS = 100  # Morris grid levels
MAX_INTERFERENCE = 100  # eFAST M
MAX_SCRAMBLES = 100  # independent Sobol' scrambles
MAX_BOOTSTRAP = 100_000  # bootstrap resamples of each index
MAX_PAWN_SLICES = 1000
MAX_FACTORS = 1000
MAX_ITEMS = 1000  # entries of a list: outputs, series columns, success criteria
MAX_TEXT = 10_000  # characters of a description
MAX_WORKERS = 1024  # local processes or Dask workers started by pap-sim
MAX_RUN_TIMEOUT = 7 * 24 * 3600.0  # seconds: a week
MAX_BOXES = 100  # PRIM boxes

RUN_TIMEOUT_BASE = 600.0  # seconds a run may take before it counts as hung: this, plus
RUN_TIMEOUT_PER_DAY = 1.0  # this per simulated day (a pap-sim run takes about 0.5 s a simulated year)


def run_timeout(horizon: int | None) -> float:
    """The default time-out of one run: ten minutes plus a second per simulated day."""
    return RUN_TIMEOUT_BASE + RUN_TIMEOUT_PER_DAY * (horizon or 0)


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def in_range(v: Any, low: int, high: int) -> bool:
    """Whether ``v`` is an integer in [low, high] (a bool is not an integer here)."""
    return is_int(v) and low <= v <= high


def short_list(v: Any, of: type = str) -> bool:
    """Whether ``v`` is a list of at most MAX_ITEMS values of type ``of`` (no nested lists)."""
    return isinstance(v, list) and len(v) <= MAX_ITEMS and all(isinstance(x, of) for x in v)
