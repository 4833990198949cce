"""Displacement as stocks: where the displaced come from, where they live, and their returns home.

The population step (:func:`papsim.mechanisms.population.one_day`) moves the people who flee as flows; this
module keeps, from the residents per cell before and after that step, the stocks that the IOM Displacement
Tracking Matrix (DTM) counts at dates: people displaced from each cell (``origin``, by place: displacement
sites in the city, host families in the city, outside the metro region) and the displaced living in each
cell (``present``: in sites there, hosted there). Deterministic: no draws.

Sources (IOM DTM rounds, record additions §5 [V]): 155,166 IDPs in the metro area (ZMPP) on 23 Nov 2022;
127,977 in Feb-Mar 2023 (Round 3), 38% in sites and 62% hosted, and 45,864 returnees; ~200,000 nationally in
Jun 2023, 131,000 of them in the ZMPP; >310,000 in Dec 2023, only 45% of the capital's IDPs hosted; 362,551
early Mar 2024; ~95,000 fled the capital to the provinces 8 Mar-9 Apr 2024; 578,074 in Jun 2024, 32% (~185,000
[D]) in the metro area, 61% of them in sites; >700,000 in Sep-Oct 2024, the capital ~25% (~175,000 [D]), 83%
hosted (national). The site share (``displaced_site_share``) is read from these rounds (0.38 → ~0.5 → 0.61 in
the capital) [V]; returns are rarely counted after Round 3, so when and how fast people go home
(``return_after_days``, ``return_rate``) is an assumption with a range.

Assumptions: the displaced are not subject to the deaths of the population step (deaths come out of the
residents only); a displaced person who flees a host cell again is counted as fled from that cell (a new
origin) while staying in the stock of the first origin (secondary displacement is counted twice); returning
people leave each place in proportion to the place's present stock, because the model does not know
which host cell holds which origin's people.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from papsim.mechanisms.settlement import displace_from_held

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("displaced_at_start", "displaced_site_share", "return_after_days", "return_rate")

SITES, HOSTED, OUTSIDE = 0, 1, 2  # rows of ``Stocks.origin``; ``Stocks.present`` has the first two


class Rates(NamedTuple):
    """The scenario's rates of a day of the displaced."""

    site_share: float  # of the newly hosted, in sites
    return_after_days: float
    return_rate: float


class Stocks(NamedTuple):
    """The displaced on a day, as people per cell."""

    origin: np.ndarray  # (3, n): people displaced from each cell, in sites / hosted / outside the metro region
    present: np.ndarray  # (2, n): displaced people living in each cell, in sites / hosted


def totals(stocks: Stocks) -> dict[str, float]:
    """The stocks the DTM reports: displaced in sites and hosted in the city, and gone outside the region."""
    return {"displaced_in_sites": float(stocks.origin[SITES].sum()),
            "displaced_hosted": float(stocks.origin[HOSTED].sum()),
            "displaced_outside": float(stocks.origin[OUTSIDE].sum())}


def _share(weights: np.ndarray) -> np.ndarray | None:
    """``weights`` normalised to sum 1, or ``None`` when they do not sum to a positive number."""
    total = weights.sum()
    return weights / total if total > 0 else None


def flight(before: np.ndarray, after: np.ndarray, deaths: np.ndarray) -> np.ndarray:
    """People who fled each cell today: ``max(before - deaths - after, 0)`` (a new array).

    ``before`` and ``after`` are the residents around the population step, ``deaths`` its deaths per cell. A
    cell that gained residents is a host, not an origin (a cell that both lost and hosted counts its net loss).
    The total is ``left`` plus the hosts' gains, as the step conserves residents plus those who left.
    """
    return np.maximum(before - deaths - after, 0.0)


def arrive(stocks: Stocks, fled: np.ndarray, hosted_gain: np.ndarray, left: float, site_share: float) -> Stocks:
    """The day's fled people added to the stocks (new arrays; ``stocks`` is not changed).

    ``left`` (gone from the metro region) goes to the origins' OUTSIDE in proportion to ``fled``; the hosted
    total (the sum of ``hosted_gain``, what each host cell gained) goes ``site_share`` to SITES and the rest
    to HOSTED, by origin in proportion to ``fled`` and by place in proportion to ``hosted_gain``. With no
    fled people nothing is added (there is no origin to record; the step's flows then sum to zero anyway).
    """
    origin, present = stocks.origin.copy(), stocks.present.copy()
    by_origin = _share(fled)
    if by_origin is None:
        return Stocks(origin, present)
    hosted = float(hosted_gain.sum())
    origin[OUTSIDE] += float(left) * by_origin
    by_place = _share(hosted_gain)
    if by_place is not None:
        origin[SITES] += hosted * site_share * by_origin
        origin[HOSTED] += hosted * (1.0 - site_share) * by_origin
        present[SITES] += hosted * site_share * by_place
        present[HOSTED] += hosted * (1.0 - site_share) * by_place
    return Stocks(origin, present)


def secure_streak(streak: np.ndarray, secure: np.ndarray) -> np.ndarray:
    """Consecutive secure days per cell (a new array): one more where ``secure``, 0 elsewhere."""
    return np.where(secure, streak + 1, 0).astype(streak.dtype)


def settle(stocks: Stocks, residents: np.ndarray) -> Stocks:
    """The displaced living in each cell at most its ``residents`` (new arrays): where deaths and new flight
    left fewer residents than the present stocks count, the stocks of the cell's places shrink alike (the
    population step does not tell the displaced from the other residents)."""
    total = stocks.present.sum(axis=0)
    factor = np.divide(residents, total, out=np.ones_like(total), where=total > residents)
    return Stocks(stocks.origin.copy(), stocks.present * np.maximum(factor, 0.0))


def returns(stocks: Stocks, secure_days: np.ndarray, return_after_days: float,
            return_rate: float) -> tuple[Stocks, np.ndarray, float]:
    """People going home to origin cells secure for at least ``return_after_days`` days (new arrays).

    From each place, ``return_rate`` of an eligible origin's stock goes home a day (the same share in every
    place, so an origin's stock decays exactly geometrically while it stays secure). The returns from sites
    and host families in the city leave ``present`` in proportion to that place's present stock (who is where
    is not tracked: every present displaced person of a place is as likely to be one who goes home); the
    returns from OUTSIDE come from outside the region. Returns ``(stocks, residents change per cell, people
    returned)``: the change is + the returns at the origins and − the departures at the present cells, so the
    city's residents plus the OUTSIDE stock are conserved. Where a place's present stock is smaller than the
    returns its origins call for (the displaced there were killed or fled again: :func:`settle`), only the
    present go home, the origins' returns scaled down alike. The updates are multiplicative (stocks times one
    minus a share at most 1), so no stock goes negative; rounding below 0 is clipped to 0.
    """
    if not 0.0 <= return_rate <= 1.0:
        raise ValueError(f"return_rate must be in [0, 1], got {return_rate}")
    origin, present = stocks.origin.copy(), stocks.present.copy()
    eligible = secure_days >= return_after_days
    back = np.where(eligible, return_rate, 0.0) * origin  # (3, n) people going home from each place
    departures = np.zeros_like(present)
    for place in (SITES, HOSTED):
        gone = float(back[place].sum())
        pool = float(present[place].sum())
        if gone > pool:  # fewer of them are still in the city than the origins count: only those go home
            back[place] *= pool / gone
            gone = pool
        if gone > 0:
            departures[place] = gone / pool * present[place]
    origin = np.maximum(origin - back, 0.0)
    present = np.maximum(present - departures, 0.0)
    change = back.sum(axis=0) - departures.sum(axis=0)
    return Stocks(origin, present), change, float(back.sum())


def at_start(population: np.ndarray, gang_held: np.ndarray, count: float,
             site_share: float) -> tuple[np.ndarray, Stocks]:
    """The displaced at the start: ``count`` people moved out of the gang-held cells into the cells no gang
    holds (:func:`papsim.mechanisms.settlement.displace_from_held`), recorded with their origins in the
    gang-held cells and ``site_share`` of them in sites, the rest hosted. No one is OUTSIDE: the count is the
    metro region's displaced. Returns ``(population, stocks)`` as new arrays; the total residents is unchanged.
    """
    moved_pop, hosted = displace_from_held(population, gang_held, count)
    lost = np.where(gang_held, np.maximum(population - moved_pop, 0.0), 0.0)
    origin = np.zeros((3, len(population)))
    present = np.zeros((2, len(population)))
    origin[SITES], origin[HOSTED] = site_share * lost, (1.0 - site_share) * lost
    present[SITES], present[HOSTED] = site_share * hosted, (1.0 - site_share) * hosted
    return moved_pop, Stocks(origin, present)


def initial(p: Mapping, population: np.ndarray, gang_held: np.ndarray) -> tuple[np.ndarray, Stocks]:
    """:func:`at_start` of the scenario's ``displaced_at_start`` once the initial control is known."""
    return at_start(population, gang_held, p["displaced_at_start"], p["displaced_site_share"])


def one_day(stocks: Stocks, streak: np.ndarray, *, before: np.ndarray, after: np.ndarray, deaths: np.ndarray,
            hosted_gain: np.ndarray, left: float, secure: np.ndarray,
            rates: Rates) -> tuple[Stocks, np.ndarray, float]:
    """The day of the displaced after the population step: the secure streak (``streak`` updated in place),
    the day's arrivals (:func:`flight`, :func:`arrive`), the present stocks within the residents
    (:func:`settle`), then the returns (:func:`returns`).

    ``before``/``after`` are the residents around the population step, ``deaths`` its deaths per cell,
    ``hosted_gain`` what each host cell gained, ``left`` the people who left the region and ``secure`` its
    mask. Returns ``(new stocks, residents change per cell to add to the population, people returned)``.
    """
    streak[:] = secure_streak(streak, secure)
    fled = flight(before, after, deaths)
    stocks = settle(arrive(stocks, fled, hosted_gain, left, rates.site_share), after)
    return returns(stocks, streak, rates.return_after_days, rates.return_rate)


def day(k: Kernels, p: Mapping, stocks: Stocks, streak: np.ndarray,
        **today: np.ndarray | float) -> tuple[Stocks, np.ndarray, float]:
    """The day of the displaced at the scenario's rates (:func:`one_day`, one call of the kernels ``k``;
    ``today``: its arrays and the people who left)."""
    rates = Rates(p["displaced_site_share"], p["return_after_days"], p["return_rate"])
    return k.displacement.one_day(stocks, streak, rates=rates, **today)
