"""HNP-led operations: a day's raids on gang cells, from the units sent to the fights' consequences.

Each operation is fought by its units against the gang members of the target cell and a share of those in
the group's neighbouring cells (reinforcements; low-profile groups engage less), with the square law of
:mod:`sim.mechanisms.combat`; losses split into killed and arrested; the security forces lose people and
morale; civilians are harmed in proportion to the casualties and the density; a cell where the survivors
outnumber the gang by the clearing ratio is cleared. Sources: resolution 2699 (seed 000_0ef45d2968df0eb0:
HNP-led joint operations, detention powers); seed 002_d688c9cc41807fef (dense terrain, holding ground).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms import combat
from sim.mechanisms.jit import njit, pairwise_sum


@njit
def raid(rng: np.random.Generator, targets: np.ndarray, raiders: np.ndarray, personnel: np.ndarray,
         effectiveness: np.ndarray, is_mss: np.ndarray, morale: np.ndarray, strength: np.ndarray,
         controller: np.ndarray, nbr: np.ndarray, nbr_valid: np.ndarray, confront: np.ndarray,
         members: np.ndarray, arms: np.ndarray, trust: np.ndarray, presence: np.ndarray, population: np.ndarray,
         area_km2: float, mean_population: float,
         lethality: float, gang_lethality: float, caution: float, reinforcement_share: float,
         low_profile_engagement: float, intel_weight: float, arrest_share: float, free_detention: float,
         harm_ratio: float, clear_ratio: float):
    """Fight one operation in each of the distinct ``targets`` cells; raider ``r`` joins operation ``r % n``.

    Civilian harm grows with the target's density relative to the city's (``mean_population`` per land
    cell). Adds the operations' effectiveness to ``presence`` and updates the raiders' ``morale`` and the
    groups' ``members`` and ``arms`` in place. Draws: every operation's security
    losses, then gang losses, then arrests, then civilians killed. Returns ``(cleared, civilians killed)``
    per operation and the totals ``(gang members killed, arrested, HNP losses, MSS losses)``.
    """
    n = len(targets)
    persons = np.zeros(n)
    eff = np.zeros(n)
    mss_persons = np.zeros(n)
    for r in range(len(raiders)):  # in raider order, as np.bincount adds
        op, unit = r % n, raiders[r]
        persons[op] += personnel[unit]
        eff[op] += effectiveness[unit]
        mss_persons[op] += personnel[unit] * is_mss[unit]
    engaged = np.empty(n)
    a = np.empty(n)
    b = np.empty(n)
    around = np.empty(nbr.shape[1])
    for op in range(n):
        cell = targets[op]
        gang = controller[cell]
        for k in range(nbr.shape[1]):  # the group's members in the real neighbouring cells
            j = nbr[cell, k]
            around[k] = strength[j] * (controller[j] == gang) * nbr_valid[cell, k]
        engaged[op] = ((strength[cell] + reinforcement_share * pairwise_sum(around))
                       * (1.0 if confront[gang] else low_profile_engagement))
        armed = min(1.0, arms[gang] / max(members[gang], 1e-9))
        a[op] = (combat.caution_lethality(lethality, caution) * eff[op] / max(persons[op], 1e-9)
                 * combat.intelligence_factor(trust[cell], intel_weight))
        b[op] = gang_lethality * armed
        presence[cell] += eff[op]
    blue_loss, red_loss = combat.fight(rng, persons, engaged, a, b, 1.0)
    killed, arrested = combat.split_arrests(red_loss, arrest_share, free_detention, rng)
    mss_loss = blue_loss * mss_persons / np.maximum(persons, 1e-9)
    civilians = np.empty(n)
    cleared = np.empty(n, np.bool_)
    group_loss = np.zeros(len(members))
    for op in range(n):
        cell = targets[op]
        density = population[cell] / area_km2 / (mean_population / area_km2)
        harm = combat.civilian_harm_expected(blue_loss[op] + red_loss[op], density, 1.0, harm_ratio, caution)
        civilians[op] = combat.draw_poisson(rng, harm)
        cleared[op] = persons[op] - blue_loss[op] >= clear_ratio * (engaged[op] - red_loss[op])
        group_loss[controller[cell]] += killed[op] + arrested[op]
    members[:] = np.maximum(0.0, members - group_loss)
    arms[:] = np.maximum(0.0, arms - 0.5 * group_loss)
    for r in range(len(raiders)):
        op, unit = r % n, raiders[r]
        morale[unit] = max(0.3, morale[unit] - 0.5 * (blue_loss[op] / max(persons[op], 1e-9)))
    return (cleared, civilians, pairwise_sum(killed), pairwise_sum(arrested), pairwise_sum(blue_loss - mss_loss),
            pairwise_sum(mss_loss))
