"""Funding: pledges arriving after a disbursement delay, monthly costs, and what a shortfall does.

Sources: ~$600M a year for ~2,500 personnel against ~$400M received by Nov 2024 and a trust fund of $85M
(seed 002_d688c9cc41807fef; record [V]); $21M in the trust fund on 10 June 2024 (seed 003); slow
disbursement delays deployment (seed 002); pay delays and resignations (record, Dec 2024 [S]); resolution
2793 pays logistics through a UN support office from assessed contributions (record [V]).
"""

from __future__ import annotations

import numpy as np


def inflow_schedule(pledge_days: np.ndarray, amounts: np.ndarray, delay_days: int, scale: float,
                    horizon: int) -> np.ndarray:
    """Money arriving on each day ``0..horizon`` from dated pledges (earlier arrivals land on day 0)."""
    out = np.zeros(horizon + 1)
    days = np.clip(np.asarray(pledge_days, int) + delay_days, 0, None)
    keep = days <= horizon
    np.add.at(out, days[keep], np.asarray(amounts, float)[keep] * scale)
    return out


def monthly_cost_per_person(cost: float, logistics_share: float, support_office: bool) -> float:
    """Monthly cost of one person to the mission's own funds (logistics excluded under a support office)."""
    return cost * (1.0 - logistics_share) if support_office else cost


def affordable_total(balance: float, cost_per_person_month: float, reserve_months: float) -> float:
    """Largest force whose costs for ``reserve_months`` (at least one day) are in hand."""
    reserve = max(reserve_months, 1.0 / 30.0) * cost_per_person_month
    return max(balance, 0.0) / reserve if reserve > 0 else np.inf


def pay(balance: float, cost: float) -> tuple[float, float]:
    """Pay what the balance allows: returns ``(paid, unpaid)``."""
    paid = min(max(balance, 0.0), cost)
    return paid, cost - paid
