"""Personnel over time: HNP strength with attrition and academy classes; MSS arrivals towards a target.

Sources: HNP 13,196 at 31 Dec 2023 and 1,663 leaving in 2023 (record: UN SG [V]); classes of 796 cadets
and 739 graduates (record: BINUH; Haitian Times [V]); MSS dated arrivals June 2024-2025 and the 2,500 and
5,550 targets (record [V]); deployment as fast as funding and logistics allow (seed 002); pay delays and
resignations (record, Dec 2024 [S]).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from papsim.mechanisms import funding

PARAMETERS: tuple[str, ...] = (
    "unit_size", "hnp_total_strength", "hnp_capital_share", "hnp_on_duty_share",
    "hnp_academy_cohort", "hnp_academy_interval_days", "hnp_training", "hnp_equipment", "mss_target_personnel",
    "mss_follow_schedule", "mss_start_day", "mss_deploy_rate", "mss_training", "mss_equipment", "reserve_months",
    "repatriation_grace_days", "repatriation_rate", "unpaid_readiness_loss")
MORALE_RECOVERY = 0.01  # assumption: daily recovery of unit morale and funded readiness


class Units(NamedTuple):
    """The security units as arrays (HNP units first, then MSS), changed in place day by day."""

    force: np.ndarray  # 0 HNP, 1 MSS
    is_mss: np.ndarray  # bool
    fill_offset: np.ndarray  # people ahead of each unit in its force's queue
    training: np.ndarray
    equipment: np.ndarray
    readiness: np.ndarray
    morale: np.ndarray
    personnel: np.ndarray
    effectiveness: np.ndarray  # personnel times the product of the four factors, set each morning
    role: np.ndarray  # an index of papsim.agents.ROLES
    cell: np.ndarray  # post or target today, -1 when not placed
    n_hnp: int


def initial_units(p: Mapping, days: int, rng: np.random.Generator) -> tuple[float, Units]:
    """(HNP on duty in the capital, the units): enough HNP units for ``days`` of academy classes, enough MSS
    units for the target; training and equipment within 10% of their force's means (two uniform draws)."""
    size = p["unit_size"]
    duty = p["hnp_capital_share"] * p["hnp_on_duty_share"]
    hnp = p["hnp_total_strength"] * duty
    graduations = days // p["hnp_academy_interval_days"] + 1
    n_hnp = math.ceil((hnp + graduations * p["hnp_academy_cohort"] * duty) / size) + 1
    n_mss = math.ceil(p["mss_target_personnel"] / size)
    n = n_hnp + n_mss
    force = np.r_[np.zeros(n_hnp, int), np.ones(n_mss, int)]
    mean_training = np.where(force == 0, p["hnp_training"], p["mss_training"])
    mean_equipment = np.where(force == 0, p["hnp_equipment"], p["mss_equipment"])
    training = np.clip(mean_training * rng.uniform(0.9, 1.1, n), 0.0, 1.0)
    equipment = np.clip(mean_equipment * rng.uniform(0.9, 1.1, n), 0.0, 1.0)
    # fill_units for both forces at once: unit i of a force holds what is left after i units
    offset = size * np.r_[np.arange(n_hnp), np.arange(n_mss)]
    return hnp, Units(force=force, is_mss=force == 1, fill_offset=offset, training=training, equipment=equipment,
                      readiness=np.ones(n), morale=np.ones(n), personnel=np.zeros(n), effectiveness=np.zeros(n),
                      role=np.zeros(n, int), cell=np.full(n, -1), n_hnp=n_hnp)


def hnp_strength_next(strength: float, day: int, attrition_per_year: float, cohort: float,
                      interval_days: int) -> float:
    """HNP strength tomorrow: daily attrition, plus an academy class every ``interval_days``."""
    graduates = cohort if day > 0 and day % interval_days == 0 else 0.0
    return strength * (1.0 - attrition_per_year / 365.0) + graduates


def scheduled_personnel(day: int, schedule_days: np.ndarray, schedule_personnel: np.ndarray) -> float:
    """Cumulative personnel the dated arrivals call for on ``day`` (0 before the first date)."""
    k = np.searchsorted(schedule_days, day, side="right")
    return float(schedule_personnel[k - 1]) if k > 0 else 0.0


def ramp_personnel(day: int, start_day: int, rate_per_30_days: float, target: float) -> float:
    """Personnel called for by a steady ramp-up from ``start_day`` to ``target``."""
    if day < start_day:
        return 0.0
    return float(min(target, rate_per_30_days / 30.0 * (day - start_day + 1)))


def fill_units(total: float, unit_size: int, n_units: int) -> np.ndarray:
    """Personnel of each unit when ``total`` people fill units of ``unit_size`` in order."""
    return np.clip(total - unit_size * np.arange(n_units), 0.0, unit_size)


def deploy(p: Mapping, day: int, hnp: float, mss: float, *, attrition_per_year: float, unpaid_days: int,
           balance: float, cost_pm: float, schedule_days: np.ndarray,
           schedule_personnel: np.ndarray) -> tuple[float, float]:
    """Today's (HNP, MSS) personnel: HNP attrition at today's rate (``attrition_per_year``:
    :func:`papsim.mechanisms.hnp.attrition_per_year`) and classes; MSS arrivals by the dated schedule or a ramp,
    as far as the funds in hand cover ``reserve_months`` of their cost, or repatriation once costs have gone
    unpaid for longer than the grace period."""
    hnp = hnp_strength_next(hnp, day, attrition_per_year,
                            p["hnp_academy_cohort"] * p["hnp_capital_share"] * p["hnp_on_duty_share"],
                            p["hnp_academy_interval_days"])
    if p["mss_follow_schedule"]:
        wanted = scheduled_personnel(day, schedule_days, schedule_personnel)
    else:
        wanted = ramp_personnel(day, p["mss_start_day"], p["mss_deploy_rate"], p["mss_target_personnel"])
    wanted = min(wanted, p["mss_target_personnel"])
    if unpaid_days > p["repatriation_grace_days"]:
        mss = math.floor(mss * (1.0 - p["repatriation_rate"]))
    elif wanted > mss:
        room = funding.affordable_total(balance, cost_pm, p["reserve_months"]) - mss
        mss += math.floor(max(0.0, min(wanted - mss, room)))
    else:
        mss = math.floor(wanted)
    return hnp, mss


def upkeep(p: Mapping, units: Units, unpaid: float) -> None:
    """MSS readiness falls while costs go unpaid and recovers otherwise; morale recovers (in place)."""
    mss = units.readiness[units.n_hnp:]  # the MSS units follow the HNP units
    if unpaid > 0:
        mss[:] = np.maximum(0.2, mss - p["unpaid_readiness_loss"])
    else:
        mss[:] = np.minimum(1.0, mss + MORALE_RECOVERY)
    np.minimum(1.0, units.morale + MORALE_RECOVERY, out=units.morale)


def fill(units: Units, hnp: float, mss: float, unit_size: int) -> None:
    """Fill the units with today's personnel in order (:func:`fill_units` for both forces in one pass)."""
    total = np.where(units.is_mss, float(mss), float(hnp))
    np.minimum(np.maximum(0.0, total - units.fill_offset), unit_size, out=units.personnel)  # np.clip, cheaper
