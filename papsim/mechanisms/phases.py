"""Mission phases: deployment, decisive operations, stabilisation, transition (seed 002_d688c9cc41807fef).

Each phase is entered on a stated condition; phases only move forward. During deployment the mission
guards key sites only (all MSS units static); decisive operations use the posture as set; stabilisation
and transition double the time cleared ground is held.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

PARAMETERS: tuple[str, ...] = ("mss_target_personnel", "decisive_threshold", "stabilisation_threshold",
                               "transition_threshold", "transition_days")
DEPLOYMENT, DECISIVE, STABILISATION, TRANSITION = 0, 1, 2, 3
NAMES = ("deployment", "decisive operations", "stabilisation", "transition")


def next_phase(phase: int, deployed_share: float, gang_population_share: float, days_below: int,
               decisive_threshold: float, stabilisation_threshold: float, transition_threshold: float,
               transition_days: int) -> int:
    """The phase tomorrow given today's phase and indicators."""
    if phase == DEPLOYMENT and deployed_share >= decisive_threshold and deployed_share > 0:
        return DECISIVE
    if phase == DECISIVE and gang_population_share < stabilisation_threshold:
        return STABILISATION
    if phase == STABILISATION and gang_population_share < transition_threshold and days_below >= transition_days:
        return TRANSITION
    return phase


def day(p: Mapping, phase: int, days_below: int, mss: float, gang_population_share: float) -> tuple[int, int]:
    """(tomorrow's phase, days in a row below the transition threshold, today included)."""
    days_below = days_below + 1 if gang_population_share < p["transition_threshold"] else 0
    target = p["mss_target_personnel"]
    return next_phase(phase, mss / target if target > 0 else 0.0, gang_population_share, days_below,
                      p["decisive_threshold"], p["stabilisation_threshold"], p["transition_threshold"],
                      p["transition_days"]), days_below


def first_run(flags: np.ndarray, length: int) -> int | None:
    """First index at which ``flags`` has been true for ``length`` consecutive entries (None if never)."""
    run = 0
    for i, f in enumerate(flags):
        run = run + 1 if f else 0
        if run >= length:
            return i
    return None
