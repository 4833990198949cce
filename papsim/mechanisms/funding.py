"""Funding: pledges arriving after a disbursement delay, monthly costs, and what a shortfall does.

Sources: ~$600M a year for ~2,500 personnel against ~$400M received by Nov 2024 and a trust fund of $85M
(seed 002_d688c9cc41807fef; record [V]); $21M in the trust fund on 10 June 2024 (seed 003); slow
disbursement delays deployment (seed 002); pay delays and resignations (record, Dec 2024 [S]); resolution
2793 pays logistics through a UN support office from assessed contributions (record [V]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

PARAMETERS: tuple[str, ...] = (
    "disbursement_delay_days", "pledge_scale", "cost_per_person_month_usd", "logistics_share", "un_support_office",
    "funding_share_of_need", "mss_target_personnel", "initial_funds_usd")


class Account(NamedTuple):
    """The mission's money to date (USD) and how long costs have gone unpaid."""

    balance: float
    received: float
    spent: float
    unpaid_total: float
    unpaid_days: int


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


def open_account(p: Mapping, pledge_days: np.ndarray, amounts: np.ndarray,
                 horizon: int) -> tuple[np.ndarray, float, Account]:
    """(money arriving each day, monthly cost of one person, the account on day 0): the pledges after the
    disbursement delay, a steady share of the target force's need, and the initial funds on day 0."""
    inflow = inflow_schedule(pledge_days, amounts, p["disbursement_delay_days"], p["pledge_scale"], horizon)
    cost_pm = monthly_cost_per_person(p["cost_per_person_month_usd"], p["logistics_share"], p["un_support_office"])
    inflow += p["funding_share_of_need"] * p["mss_target_personnel"] * cost_pm / 30.0
    inflow[0] += p["initial_funds_usd"]
    start = float(inflow[0])
    return inflow, cost_pm, Account(balance=start, received=start, spent=0.0, unpaid_total=0.0, unpaid_days=0)


def pay_day(account: Account, arriving: float, due: float) -> tuple[Account, float]:
    """(the account after today's money arrives and today's costs are paid as far as it allows, unpaid today)."""
    balance = account.balance + arriving
    paid, unpaid = pay(balance, due)
    return Account(balance=balance - paid, received=account.received + arriving, spent=account.spent + paid,
                   unpaid_total=account.unpaid_total + unpaid,
                   unpaid_days=account.unpaid_days + 1 if unpaid > 0 else 0), unpaid
