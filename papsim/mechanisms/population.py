"""Population: violent deaths, kidnappings, displacement, humanitarian access and open services.

Sources: 4,789 killed and 2,490 kidnapped nationally in 2023, ≥5,601 killed and 1,494 kidnapped in 2024
(record: UN SG; OHCHR [V]); ~200,000 displaced in Oct 2023 (seed 004), 362,000 → 578,000 in Mar-Jun 2024
(IOM [V]) and >700,000 at the end of 2024 (seed 002); securing humanitarian access is part of the mandate
(seed 004_256d697258737dd8).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy import ndimage

from papsim.mechanisms.combat import poisson_where_positive

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("predation_killing_rate", "border_killing_rate", "kidnap_rate", "displaced_per_death",
                               "front_flight_rate", "displaced_out_share")
_EIGHT = np.ones((3, 3), dtype=bool)


class Rates(NamedTuple):
    """The parameters of a day of the population."""

    predation_per_million: float
    border_rate: float
    kidnap_per_million: float
    displaced_per_death: float
    front_flight_rate: float
    out_share: float


class Outcome(NamedTuple):
    """What a day did to the population."""

    deaths: float
    kidnappings: np.ndarray  # per cell
    moved: float  # within the city
    left: float  # the city
    secure: np.ndarray  # mask: land no gang holds, off the front


def deaths_expected(population: np.ndarray, gang_held: np.ndarray, contested: np.ndarray,
                    predation_per_million: float, border_rate: float) -> np.ndarray:
    """Expected killings by gangs per cell: predation in gang cells plus violence on contested cells."""
    return predation_per_million * 1e-6 * population * gang_held + border_rate * contested


def kidnappings_expected(population: np.ndarray, gang_held: np.ndarray, patrolled: np.ndarray,
                         rate_per_million: float) -> np.ndarray:
    """Expected kidnappings per cell: residents of gang cells at a rate that patrols halve."""
    return rate_per_million * 1e-6 * population * gang_held * (1.0 - 0.5 * patrolled)


def displace(population: np.ndarray, flee: np.ndarray, host: np.ndarray,
             out_share: float) -> tuple[np.ndarray, float, float]:
    """Move ``flee`` people out of their cells: ``out_share`` leave the city, the rest go to host cells.

    Hosts take people in proportion to ``host`` (e.g. population of secure cells). With no host cell,
    everyone fleeing leaves the city. Returns ``(new population, moved within the city, left the city)``;
    the total of population plus those who left is conserved.
    """
    flee = np.minimum(flee, population)
    total = flee.sum()
    host_total = host.sum()
    inside = total * (1.0 - out_share) if host_total > 0 else 0.0
    out = population - flee
    if inside > 0:
        out = out + inside * host / host_total
    return out, float(inside), float(total - inside)


def one_day(rng: np.random.Generator, population: np.ndarray, *, held: np.ndarray, contested: np.ndarray,
            patrolled: np.ndarray, land: np.ndarray, civilians_killed: np.ndarray, violence: np.ndarray,
            displaced: np.ndarray, rates: Rates) -> tuple[float, np.ndarray, float, float, np.ndarray]:
    """A day of the population, in place: Poisson deaths and kidnappings, then flight.

    Deaths (gang killings drawn from :func:`deaths_expected`, plus ``civilians_killed`` in operations and
    attacks, capped by the residents) leave ``population``; ``violence`` decays by 10% a day and adds them;
    ``displaced_per_death`` people flee per death and ``front_flight_rate`` of contested cells' residents
    flee, hosted by the secure cells (:func:`displace`); ``displaced`` adds what each cell gained. Draws
    deaths, then kidnappings, for the cells with a positive mean in cell order. Returns ``(deaths,
    kidnappings per cell, moved within the city, left the city, secure mask)``.
    """
    gang_held = held.astype(float)
    gang_deaths = poisson_where_positive(rng, deaths_expected(population, gang_held, contested,
                                                              rates.predation_per_million, rates.border_rate))
    deaths = np.minimum(gang_deaths + civilians_killed, np.floor(population))
    kidnaps = poisson_where_positive(rng, kidnappings_expected(population, gang_held, patrolled,
                                                               rates.kidnap_per_million))
    population -= deaths
    violence[:] = 0.9 * violence + deaths
    flee = rates.displaced_per_death * deaths + rates.front_flight_rate * population * contested
    secure = ~held & ~contested & land
    before = population.copy()
    population[:], inside, out = displace(population, flee, population * secure, rates.out_share)
    displaced += np.maximum(population - before, 0.0)
    return float(deaths.sum()), kidnaps, inside, out, secure


def humanitarian_access(secure: np.ndarray, anchors: np.ndarray, population: np.ndarray) -> float:
    """Share of people living in cells connected (8-neighbourhood) through ``secure`` ground to an anchor.

    ``secure`` (ground aid can cross: the model passes cells no gang holds, front lines included) and
    ``population`` are 2-D grids; ``anchors`` flat indices of entry points (airport, port).
    """
    if not secure.reshape(-1)[anchors].any():
        return 0.0  # no anchor is secure: nobody is reached (and labelling the grid would cost more than a day)
    labels, n_labels = ndimage.label(secure, structure=_EIGHT)
    flat = labels.reshape(-1)
    reach = flat[anchors]
    reach = reach[reach > 0]
    total = population.sum()
    if len(reach) == 0 or total <= 0:
        return 0.0
    reached = np.zeros(n_labels + 1, dtype=bool)
    reached[reach] = True
    return float(population.reshape(-1)[reached[flat]].sum() / total)


def day(k: Kernels, p: Mapping, rng: np.random.Generator, population: np.ndarray, *, held: np.ndarray,
        contested: np.ndarray, patrolled: np.ndarray, land: np.ndarray, civilians_killed: np.ndarray,
        violence: np.ndarray, displaced: np.ndarray) -> Outcome:
    """The day of the population (:func:`one_day`) at the scenario's rates."""
    rates = Rates(predation_per_million=p["predation_killing_rate"], border_rate=p["border_killing_rate"],
                  kidnap_per_million=p["kidnap_rate"], displaced_per_death=p["displaced_per_death"],
                  front_flight_rate=p["front_flight_rate"], out_share=p["displaced_out_share"])
    return Outcome(*k.population.one_day(rng, population, held=held, contested=contested, patrolled=patrolled,
                                         land=land, civilians_killed=civilians_killed, violence=violence,
                                         displaced=displaced, rates=rates))
