"""Vigilantes: self-defence brigades (Bwa Kalé) as a per-cell state of armed residents.

Sources (record): the Bwa Kalé movement spread from 24 April 2023; at least 388 people were lynched between
April and September 2023 (BINUH) [V], among them at least 238 alleged gang members killed from 24 April to
30 June 2023 (BINUH) [V]; CARDH counts 401 Bwa Kalé killings from January to September 2023, 29% of 1,564
homicides [V]. Vigilante groups killed at least 141 people in the first quarter of 2024 (OHCHR via Reuters)
[V], at least 122 (about 8% of killings) in the third [V] and 268 lynched or executed (13% of deaths) in the
fourth [V]. They kill gang members and suspects among residents alike; ≥238 alleged gang members among ~388
lynched gives a gang share of about 0.6 [D].

The rules are assumptions, with ranges in the registry: residents of cells not held by a gang that border a
gang-held cell face predation (threat 0 away from the gangs, at least 1 on the border, rising with recent
killings); police presence lowers the need for self-defence; the armed residents (``vigilance``, in
fighter-equivalents) follow their target level exponentially with a response time, and the brigades are
crushed or flee when a gang takes their cell. They kill in proportion to their number and to the gang
members in the bordering gang cells; a share of the dead are gang members, the rest suspects among residents.
Their defence against gang expansion is their number (``vigilance`` is the territory's ``resistance``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from papsim.mechanisms import distinct_neighbours, quantiles

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("vigilante_max_per_cell", "vigilante_violence_scale", "vigilante_protection_scale",
                               "vigilante_response_days", "vigilante_killing_rate", "vigilante_gang_share")
KILL_LOG: tuple[str, ...] = ("cell", "gang", "civilians_killed", "gang_killed")
"""The columns of :class:`Outcome`'s log, one row per cell with any killing, cells ascending: the cell, the
group whose members its vigilantes hunt (:func:`charged_group`), the suspects among residents and the gang
members killed."""


class Rates(NamedTuple):
    """The scenario's vigilante parameters (:data:`PARAMETERS`, in their order)."""

    max_per_cell: float
    violence_scale: float
    protection_scale: float
    response_days: float
    killing_rate: float
    gang_share: float


class Outcome(NamedTuple):
    """What a day's vigilantes did."""

    residents_killed: np.ndarray  # per cell (suspects among residents)
    members_killed: np.ndarray  # per group (alleged gang members)
    log: np.ndarray  # (k, 4) rows of KILL_LOG


def gang_neighbours(controller: np.ndarray, nbr: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Bool ``(n, 8)``: the distinct neighbours (``valid``, by default
    :func:`papsim.mechanisms.distinct_neighbours` of ``nbr``; the model passes its grid's, worked out once)
    held by a gang (controller >= 0)."""
    return (distinct_neighbours(nbr) if valid is None else valid) & (controller[nbr] >= 0)


def bordering(controller: np.ndarray, nbr: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """1.0 in cells not held by a gang with at least one gang-held Moore neighbour, else 0.0."""
    return ((controller < 0) & gang_neighbours(controller, nbr, valid).any(axis=1)).astype(float)


def threat(border: np.ndarray, violence: np.ndarray, violence_scale: float) -> np.ndarray:
    """Predation faced by residents: ``border * (1 + violence / violence_scale)`` (``border``: 1 in the cells
    of no gang next to a gang-held one, :func:`bordering`); 0 away from the gangs and in gang-held cells, at
    least 1 on the border, rising with the cell's recent killings."""
    return border * (1.0 + violence / violence_scale)


def target(threat_level: np.ndarray, presence: np.ndarray, *, controller: np.ndarray, land: np.ndarray,
           population: np.ndarray, max_per_cell: float, protection_scale: float) -> np.ndarray:
    """The level vigilance tends to: ``max_per_cell * threat / (1 + threat) * protection_scale /
    (protection_scale + presence)`` in land cells with residents not held by a gang, 0 elsewhere. Bounded by
    ``max_per_cell``; security presence makes self-defence less needed."""
    level = max_per_cell * threat_level / (1.0 + threat_level) * (protection_scale / (protection_scale + presence))
    return np.where(land & (population > 0) & (controller < 0), level, 0.0)


def initial(p: Mapping, *, controller: np.ndarray, nbr: np.ndarray, valid: np.ndarray, land: np.ndarray,
            population: np.ndarray) -> np.ndarray:
    """Vigilance at the start: its :func:`target` without recent killings or security presence (the brigades
    formed from April 2023, months before a run of 2024 starts)."""
    level = threat(bordering(controller, nbr, valid), np.zeros(len(controller)), p["vigilante_violence_scale"])
    return target(level, np.zeros(len(controller)), controller=controller, land=land, population=population,
                  max_per_cell=p["vigilante_max_per_cell"], protection_scale=p["vigilante_protection_scale"])


def relax(vigilance: np.ndarray, level: np.ndarray, response_days: float, days: float = 1.0) -> np.ndarray:
    """Vigilance after ``days`` of ``dv/dt = (level - v) / response_days`` with a fixed level (the exact
    solution: ``level + (v - level) * exp(-days / response_days)``)."""
    return level + (vigilance - level) * np.exp(-days / response_days)


def _charged(groups: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Per row of neighbour ``groups`` (the neighbours' controllers, ``held`` where a distinct neighbour is
    gang-held), the group holding the most of them, the first listed among equals, or -1 without one."""
    group = np.where(held, groups, -1)
    same = (group[:, :, None] == group[:, None, :]) & held[:, None, :]  # [c, j, i]: column i holds j's group
    count = np.where(held, same.sum(axis=2), 0)
    best = count.argmax(axis=1)  # first column reaching the most
    return np.where(held.any(axis=1), group[np.arange(len(group)), best], -1)


def charged_group(controller: np.ndarray, nbr: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Per cell, the group holding the most of the cell's distinct gang neighbours (the first listed in the
    table among equals), or -1 without a gang neighbour: the group whose members the cell's vigilantes kill."""
    return _charged(controller[nbr], gang_neighbours(controller, nbr, valid))


def killings(rng: np.random.Generator, vigilance: np.ndarray, *, controller: np.ndarray, nbr: np.ndarray,
             population: np.ndarray, strength: np.ndarray, members: np.ndarray, killing_rate: float,
             gang_share: float, valid: np.ndarray | None = None) -> Outcome:
    """The day's killings by vigilantes.

    Killings in a cell are Poisson with mean ``killing_rate * vigilance * bordering gang members``, split into gang
    members, binomial of the kills with ``gang_share``, and suspects among residents (the rest, at most the cell's
    whole residents): each count from the cell's own uniform (:mod:`quantiles`: one uniform per cell of the map for
    the kills, then one for the split). Gang members killed are charged to :func:`charged_group`; where a group's
    total exceeds its ``members``, its cells' gang kills are scaled down by the same factor so that the total equals
    ``members`` (then fractional). ``members`` is not changed: the caller removes ``members_killed``. No draw at all
    when no cell has a positive mean.
    """
    n = len(vigilance)
    residents = np.zeros(n)
    lost = np.zeros(len(members))
    valid = distinct_neighbours(nbr) if valid is None else valid
    cells = (vigilance > 0).nonzero()[0]
    held = valid[cells] & (controller[nbr[cells]] >= 0)  # worked out for the brigades' cells only
    lam = killing_rate * vigilance[cells] * np.where(held, strength[nbr[cells]], 0.0).sum(axis=1)
    if not (lam > 0).any():
        return Outcome(residents, lost, np.zeros((0, len(KILL_LOG))))
    # drawn for every cell, so that a cell's numbers do not move with the other cells' brigades (scenarios on
    # the same seed stay paired: papsim/streams.py)
    kills = quantiles.poisson(rng.random(n)[cells], lam)
    gang = quantiles.binomial(rng.random(n)[cells], kills, gang_share)
    residents[cells] = np.minimum((kills - gang).astype(float), np.floor(np.maximum(population[cells], 0.0)))
    hit = (kills > 0).nonzero()[0]
    if len(hit) == 0:
        return Outcome(residents, lost, np.zeros((0, len(KILL_LOG))))
    cells, gang = cells[hit], gang[hit]
    group = _charged(controller[nbr[cells]], held[hit])
    total = np.bincount(group, weights=gang, minlength=len(members))  # every killing cell has a gang neighbour
    cap = np.maximum(members, 0.0)
    scale = np.divide(cap, total, out=np.ones_like(total), where=total > cap)
    gang = gang * scale[group]
    lost = np.bincount(group, weights=gang, minlength=len(members)).astype(float)
    keep = (residents[cells] > 0) | (gang > 0)
    log = np.column_stack((cells[keep], group[keep], residents[cells[keep]], gang[keep])).astype(float)
    return Outcome(residents, lost, log)


def one_day(rng: np.random.Generator, vigilance: np.ndarray, *, controller: np.ndarray, nbr: np.ndarray,
            valid: np.ndarray, border: np.ndarray, violence: np.ndarray, presence: np.ndarray, land: np.ndarray,
            population: np.ndarray, strength: np.ndarray, members: np.ndarray, rates: Rates) -> Outcome:
    """A day of vigilantes at ``rates``: vigilance is set to 0 in gang-held cells, relaxes for one day towards
    its :func:`target` (in place), then the brigades kill from the new vigilance (:func:`killings`). ``valid``:
    :func:`papsim.mechanisms.distinct_neighbours` of ``nbr``, fixed for a run; ``border``: :func:`bordering`
    of today's control (the model passes it as a mask: the front line of the cells of no gang)."""
    vigilance[controller >= 0] = 0.0
    level = target(threat(border, violence, rates.violence_scale), presence, controller=controller, land=land,
                   population=population, max_per_cell=rates.max_per_cell, protection_scale=rates.protection_scale)
    vigilance[:] = relax(vigilance, level, rates.response_days)
    return killings(rng, vigilance, controller=controller, nbr=nbr, population=population, strength=strength,
                    members=members, killing_rate=rates.killing_rate, gang_share=rates.gang_share, valid=valid)


def day(k: Kernels, p: Mapping, rng: np.random.Generator, vigilance: np.ndarray, **today: np.ndarray) -> Outcome:
    """A day of vigilantes at the scenario's rates (:func:`one_day`, one call of the kernels ``k``; ``today``:
    its arrays)."""
    rates = Rates(p["vigilante_max_per_cell"], p["vigilante_violence_scale"], p["vigilante_protection_scale"],
                  p["vigilante_response_days"], p["vigilante_killing_rate"], p["vigilante_gang_share"])
    return k.vigilantes.one_day(rng, vigilance, rates=rates, **today)
