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
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from papsim.mechanisms import quantiles

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("predation_killing_rate", "border_killing_rate", "kidnap_rate", "displaced_per_death",
                               "front_flight_rate", "displaced_out_share")


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
    killed: np.ndarray  # deaths per cell
    kidnappings: np.ndarray  # per cell
    moved: float  # within the city
    left: float  # the city
    secure: np.ndarray  # mask: land no gang holds, off the front


def deaths_expected(population: np.ndarray, pressure: np.ndarray, contested: np.ndarray,
                    predation_per_million: float, border_rate: float) -> np.ndarray:
    """Expected killings by gangs per cell: predation by the fighters standing in the cell (``pressure``:
    the cell's fighters relative to the mean per gang-held cell at the start, 0 where no gang holds it) on
    its residents, plus violence on contested cells."""
    return predation_per_million * 1e-6 * population * pressure + border_rate * contested


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


def poisson_field(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Independent Poisson counts of means ``lam`` (non-negative, finite) per cell, as floats, each the
    inverse of the Poisson distribution function at the cell's own uniform (``rng.random(len(lam))``: one
    per cell, in cell order; :func:`quantiles.poisson`).

    A cell's count depends on its mean and its uniform only: a change of the means elsewhere (another
    scenario on the same seed) moves no other cell's count, so common random numbers pair scenarios cell by
    cell. A cell of zero mean never gets an event.
    """
    return quantiles.poisson(rng.random(len(lam)), lam)


def one_day(rng: np.random.Generator, population: np.ndarray, *, held: np.ndarray, pressure: np.ndarray,
            contested: np.ndarray, patrolled: np.ndarray, land: np.ndarray, civilians_killed: np.ndarray,
            violence: np.ndarray, displaced: np.ndarray,
            rates: Rates) -> tuple[float, np.ndarray, np.ndarray, float, float, np.ndarray]:
    """A day of the population, in place: Poisson deaths and kidnappings, then flight.

    Deaths (gang killings drawn from :func:`deaths_expected`, by the fighters' ``pressure`` per cell, plus
    ``civilians_killed`` in operations and attacks, capped by the residents) leave ``population``;
    ``violence`` decays by 10% a day and adds them; ``displaced_per_death`` people flee per death and
    ``front_flight_rate`` of contested cells' residents flee, hosted by the secure cells (:func:`displace`);
    ``displaced`` adds what each cell gained. Draws the deaths, then the kidnappings, each as a
    :func:`poisson_field`. Returns ``(deaths, deaths per cell,
    kidnappings per cell, moved within the city, left the city, secure mask)``.
    """
    gang_held = held.astype(float)
    gang_deaths = poisson_field(rng, deaths_expected(population, pressure, contested, rates.predation_per_million,
                                                     rates.border_rate))
    deaths = np.minimum(gang_deaths + civilians_killed, np.floor(population))
    kidnaps = poisson_field(rng, kidnappings_expected(population, gang_held, patrolled, rates.kidnap_per_million))
    population -= deaths
    violence[:] = 0.9 * violence + deaths
    flee = rates.displaced_per_death * deaths + rates.front_flight_rate * population * contested
    secure = ~held & ~contested & land
    before = population.copy()
    population[:], inside, out = displace(population, flee, population * secure, rates.out_share)
    displaced += np.maximum(population - before, 0.0)
    return float(deaths.sum()), deaths, kidnaps, inside, out, secure


def humanitarian_access(secure: np.ndarray, nbr: np.ndarray, anchors: np.ndarray, population: np.ndarray) -> float:
    """Share of the people living in cells reached through ``secure`` cells from a secure anchor.

    On the model's cells: ``secure`` (ground aid can cross: the model passes cells no gang holds, front lines
    included) and ``population`` per cell, ``nbr`` the ``(n, 8)`` int64 neighbour table (a missing
    neighbour is the cell itself), ``anchors`` the cells of the entry points (airport, port). The Moore
    table is symmetric, so the cells reached are the anchors' 8-connected components of secure ground, as
    on the full grid (off land is never secure). The people reached are summed in cell order.
    """
    starts = np.unique(anchors[secure[anchors]])
    if len(starts) == 0:
        return 0.0  # no anchor is secure: nobody is reached
    total = population.sum()
    if total <= 0:
        return 0.0
    n, k = nbr.shape
    steps = np.where(secure[nbr], nbr, np.arange(n)[:, None])  # a step onto ground that is not secure stays put
    graph = csr_matrix((np.ones(n * k), steps.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n))
    reached = np.zeros(n, dtype=bool)
    for start in starts:  # breadth first from each secure anchor not yet reached, over secure cells only
        if not reached[start]:
            reached[breadth_first_order(graph, start, directed=True, return_predecessors=False)] = True
    return float(population[reached].sum() / total)


def day(k: Kernels, p: Mapping, rng: np.random.Generator, population: np.ndarray, *, held: np.ndarray,
        fighters: np.ndarray, fighters_at_start: float, contested: np.ndarray, patrolled: np.ndarray,
        land: np.ndarray, civilians_killed: np.ndarray, violence: np.ndarray, displaced: np.ndarray) -> Outcome:
    """The day of the population (:func:`one_day`) at the scenario's rates; the gangs' predation follows the
    ``fighters`` per cell, relative to ``fighters_at_start`` (the mean per gang-held cell at the start: there
    the rate is ``predation_killing_rate``)."""
    rates = Rates(p["predation_killing_rate"], p["border_killing_rate"], p["kidnap_rate"], p["displaced_per_death"],
                  p["front_flight_rate"], p["displaced_out_share"])  # positional: in the order of the fields
    return Outcome(*k.population.one_day(rng, population, held=held, pressure=fighters / fighters_at_start,
                                         contested=contested, patrolled=patrolled,
                                         land=land, civilians_killed=civilians_killed, violence=violence,
                                         displaced=displaced, rates=rates))
