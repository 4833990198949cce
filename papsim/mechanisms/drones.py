"""Armed drones: strikes by a government task force on gang-held cells, from a scenario's date.

Source: from March 2025 a government task force of specialised HNP units with a contracted private firm
operates armed drones against gangs in Port-au-Prince (record, inputs for replaying 2025 [S]; Reuters,
Financial Times 14 Jul 2025). No outcome of the strikes is in the record (it ends with 2024), so the rate,
the fighters killed per strike and the harm to residents are assumptions with ranges, and the instrument
is off (``drone_strikes_per_day`` 0) unless a scenario turns it on from its date.

A strike hits the gang cell where the most fighters gather (the strongest cell; the task force's
surveillance finds gatherings, not individuals), with the day's Poisson number of strikes going to the
strongest cells in turn. It kills fighters in proportion to the strike's aimed share, the same share of
aimed fire that operations have (:func:`combat.aimed_share`: residents' trust and informants' safety), and
harms residents in proportion to density and to the unaimed rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from papsim.mechanisms import Gangs, Grid, combat

PARAMETERS: tuple[str, ...] = ("drone_strikes_per_day", "drone_start_day", "drone_fighters_per_strike",
                               "drone_harm_per_strike", "intelligence_base", "trust_intel_weight")
STRIKE_LOG: tuple[str, ...] = ("cell", "gang", "fighters", "aimed", "gang_killed", "civilians_killed")
"""The columns of :func:`strike`'s log, one row per strike: the cell and its group, the fighters there, the
strike's aimed share, the gang members and residents killed."""


class Outcome(NamedTuple):
    """What a day's strikes did."""

    strikes: int
    killed: float  # gang members
    civilians: np.ndarray  # residents killed per cell (empty on a day without strikes)
    log: np.ndarray  # one row per strike (STRIKE_LOG)


_NONE = Outcome(0, 0.0, np.zeros(0), np.zeros((0, len(STRIKE_LOG))))  # a day without strikes (read only)


def strike(rng: np.random.Generator, n_strikes: int, gangs: Gangs, grid: Grid, *, controller: np.ndarray,
           strength: np.ndarray, population: np.ndarray, trust: np.ndarray, reprisals: np.ndarray,
           fighters_per_strike: float, harm_per_strike: float, intelligence_base: float,
           intel_weight: float) -> tuple[float, np.ndarray, np.ndarray]:
    """``n_strikes`` strikes on the strongest gang cells (ties to the lower cell), one each, in place on the
    groups' members and arms (half a weapon lost per member killed, as in an operation). Draws the fighters
    killed, then the residents killed, strike by strike. Returns ``(gang members killed, residents killed
    per cell, the log)``."""
    civilians = np.zeros(len(controller))
    cells = (controller >= 0).nonzero()[0]
    if n_strikes <= 0 or len(cells) == 0:
        return 0.0, civilians, np.zeros((0, len(STRIKE_LOG)))
    targets = cells[np.argsort(-strength[cells], kind="stable")[:n_strikes]]
    gang = controller[targets]
    aimed = combat.aimed_share(intelligence_base, trust[targets], intel_weight, reprisals[targets])
    killed = np.minimum(rng.poisson(fighters_per_strike * aimed), np.floor(strength[targets])).astype(float)
    density = population[targets] / grid.mean_population
    residents = rng.poisson(harm_per_strike * density * (1.0 - aimed)).astype(float)
    residents = np.minimum(residents, np.floor(population[targets]))
    civilians[targets] = residents
    lost = np.bincount(gang, weights=killed, minlength=len(gangs.members))
    gangs.members[:] = np.maximum(0.0, gangs.members - lost)
    gangs.arms[:] = np.maximum(0.0, gangs.arms - 0.5 * lost)
    log = np.column_stack((targets, gang, strength[targets], aimed, killed, residents)).astype(float)
    return float(killed.sum()), civilians, log


def day(p: Mapping, rng: np.random.Generator, gangs: Gangs, grid: Grid, *, today: int, controller: np.ndarray,
        strength: np.ndarray, population: np.ndarray, trust: np.ndarray, reprisals: np.ndarray) -> Outcome:
    """The day's strikes: none before ``drone_start_day``; from it a Poisson number with mean
    ``drone_strikes_per_day`` (no draw at all while the instrument is off)."""
    rate = p["drone_strikes_per_day"]
    if rate <= 0 or today < p["drone_start_day"]:
        return _NONE
    n = int(rng.poisson(rate))
    killed, civilians, log = strike(rng, n, gangs, grid, controller=controller, strength=strength,
                                    population=population, trust=trust, reprisals=reprisals,
                                    fighters_per_strike=p["drone_fighters_per_strike"],
                                    harm_per_strike=p["drone_harm_per_strike"],
                                    intelligence_base=p["intelligence_base"], intel_weight=p["trust_intel_weight"])
    return Outcome(len(log), killed, civilians, log)
