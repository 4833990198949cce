"""The guards of a key site a gang holds fight to retake it: a site is lost in a fight and won back in one.

Each day the static units posted at a key site that a gang holds counter-attack it with the probability
``1 − e^(−recapture_rate)`` (one uniform draw per site, in site order), fought as an operation
(:func:`operations.fight`: the intelligence-limited law, the occupiers and their group's neighbouring fighters
against the guards); a site won back is cleared (its fighters fall back to their group's cells,
:func:`fighters.retreat`) and guarded again by its static units (not a post: they stand there anyway).

Sources (record additions, site histories and 3d [V]): the HUEH, occupied on 1 Apr 2024, was retaken by the
police in early July 2024; the Gressier station, abandoned on 10-11 May 2024, was retaken after the attack of
30 Jun 2024; the airport, closed by the fighting from 4 March, reopened on 20 May 2024. The rate is an
assumption bounded by them (weeks to months).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from papsim.mechanisms import Gangs, Grid, fighters, operations, personnel, posture, territory
from papsim.mechanisms.operations import HNP_DEATH_SHARE

PARAMETERS: tuple[str, ...] = ("recapture_rate",)


def day(p: Mapping, rng: np.random.Generator, units: personnel.Units, gangs: Gangs, grid: Grid, *, today: int,
        ops: operations.Outcome, detained: float, controller: np.ndarray, strength: np.ndarray, trust: np.ndarray,
        reprisals: np.ndarray, population: np.ndarray, cleared_on: np.ndarray,
        events: np.ndarray) -> operations.Outcome:
    """The day's ``ops`` with the guards' counter-attacks on the key sites a gang holds added (one operation
    per attacked cell, in its log; the arrested fill the prisons' places left after ``detained`` and the day's
    arrests). The fighters per cell (``strength``), ``controller``, the gangs' members and arms, the guards'
    morale, ``cleared_on`` and ``events`` (one per fight) in place."""
    sites = grid.site_cells
    draw = rng.random(len(sites))
    lost = (controller[sites] != territory.NO_GANG) & (draw < 1.0 - math.exp(-p["recapture_rate"]))
    if not lost.any():
        return ops
    guards = ((units.role == posture.STATIC) & np.isin(units.cell, sites[lost])).nonzero()[0]
    if len(guards) == 0:
        return ops
    targets = np.unique(units.cell[guards])  # the lost sites' cells where guards stand
    terms = operations.raid_terms(p, detained + ops.arrested)
    cleared, killed_civilians, killed, arrested, hnp_loss, mss_loss, log = operations.fight(
        rng, targets, guards, np.searchsorted(targets, units.cell[guards]), units, gangs, grid, strength=strength,
        controller=controller, trust=trust, presence=np.zeros(len(controller)),  # the guards are counted already
        population=population, reprisals=reprisals, terms=terms)
    done = targets[cleared]
    losers = controller[done]
    controller[done] = territory.NO_GANG
    fighters.retreat(strength, done, losers, controller, grid.nbr, grid.nbr_distinct)
    gangs.members[:] = fighters.tally(controller, strength, len(gangs.members))
    cleared_on[done] = today
    events[targets] += 1.0
    civilians = ops.civilians.copy()
    civilians[targets] += killed_civilians
    deaths = ops.deaths + np.array((killed, HNP_DEATH_SHARE * hnp_loss, HNP_DEATH_SHARE * mss_loss))
    return operations.Outcome(ops.operations + len(targets), ops.cleared + len(done), deaths, civilians,
                              ops.arrested + arrested, max(0.0, ops.hnp - hnp_loss),
                              max(0.0, math.floor(ops.mss - mss_loss)), np.vstack((ops.log, log)))
