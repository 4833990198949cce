"""The HNP as the record shows it: an operational capacity that officer deaths wear down, and an attrition that
rises with them.

Sources (record additions §3 [V]): about 400 officers left a year before 2023, 774 in the first half of 2023
alone and 1,663 in the whole of 2023 (UN SG), while 48 officers were killed in 2023 (UN; 37 by SYNAPOHA's
count [S]) and more than 40 a year in 2019, 2021 and 2022 (RNDDH); 10 officers were killed in five days in
January 2023 (Métivier, Liancourt), followed by protests and resignations. Of 14,861 officers at the end of
2022 about 9,700 were available for active service and about 4,000 for public-security tasks in 2023 (UN
Panel of Experts). The rules (leaving and availability that respond to the officers killed recently, with a
memory of ``hnp_grief_days``) are assumptions: the record gives the levels, not the law.

The recent killings are an exponentially fading sum, ``recent ← recent·e^(−1/g) + killed`` (a day's deaths
weigh for about ``g`` days): under a steady ``k`` killed a day it tends to ``k / (1 − e^(−1/g))``, and
:func:`killed_per_year` reads it back as ``365·k``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

PARAMETERS: tuple[str, ...] = ("hnp_attrition_base", "hnp_attrition_per_death", "hnp_grief_days",
                               "hnp_killed_reference", "hnp_capacity_loss", "hnp_capacity_recovery_days")


class State(NamedTuple):
    """The HNP's condition: officers killed recently (fading sum) and the share of the officers on duty that
    the units can field (operational capacity, in (0, 1])."""

    recent_killed: float
    capacity: float


def initial() -> State:
    """At the start: no recent deaths counted, full capacity."""
    return State(0.0, 1.0)


def fade(grief_days: float) -> float:
    """The daily survival of a death in the memory, ``e^(−1/g)``."""
    return math.exp(-1.0 / grief_days)


def remember(recent: float, killed: float, grief_days: float) -> float:
    """Tomorrow's fading sum of officers killed: today's deaths added to the faded past."""
    return recent * fade(grief_days) + killed


def killed_per_year(recent: float, grief_days: float) -> float:
    """The yearly rate of officers killed that the fading sum stands for (exact under a steady rate)."""
    return recent * (1.0 - fade(grief_days)) * 365.0


def attrition_per_year(p: Mapping, recent: float) -> float:
    """The share of the officers who leave in a year: the base rate plus ``hnp_attrition_per_death`` per
    officer killed a year (the record: ~3%/year before 2023, 12.6% in 2023 with 48 killed)."""
    return p["hnp_attrition_base"] + p["hnp_attrition_per_death"] * killed_per_year(recent, p["hnp_grief_days"])


def capacity_target(p: Mapping, recent: float) -> float:
    """The capacity the force tends to: ``1 − loss · r / (r + reference)`` of the yearly rate ``r`` of officers
    killed (a saturating loss: at ``r = reference`` half of ``hnp_capacity_loss`` is lost)."""
    rate = killed_per_year(recent, p["hnp_grief_days"])
    return 1.0 - p["hnp_capacity_loss"] * rate / (rate + p["hnp_killed_reference"])


def day(p: Mapping, state: State, killed: float) -> State:
    """Tomorrow's state after ``killed`` officers died today: the memory, then the capacity relaxing towards
    its target with the time constant ``hnp_capacity_recovery_days`` (the exact solution over one day of
    ``dc/dt = (target − c)/τ``)."""
    recent = remember(state.recent_killed, killed, p["hnp_grief_days"])
    target = capacity_target(p, recent)
    keep = math.exp(-1.0 / p["hnp_capacity_recovery_days"])
    return State(recent, target + (state.capacity - target) * keep)
